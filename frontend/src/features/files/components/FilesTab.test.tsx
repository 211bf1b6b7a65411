import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppProvider } from '@/app/provider';
import { useSession } from '@/features/auth/components/SessionProvider';
import { LiveProvider } from '@/lib/live/LiveProvider';
import { fakeLive } from '@/testing/fakeLive';
import { jsonResponse, stubFetch } from '@/testing/fakeServer';
import type { CreateUpload, CreateUploadOptions, PreviousUpload, UploadFailure, UploadHandle } from '../api/uploader';
import { resetUploadStores, type PollTiming } from '../uploads/uploadStore';
import { FilesTab } from './FilesTab';

// -- a fake server: /graphql by operation name, /api/routings/{id}/files --------------------

type GraphQLAnswer = (variables: Record<string, unknown>) => unknown;

interface FakeServer {
  /** Operation names in the order they were sent. */
  calls: string[];
  /** Variables per operation, in order. */
  variables: Record<string, Record<string, unknown>[]>;
  restCalls: { url: string; init: RequestInit | undefined }[];
  answers: Record<string, GraphQLAnswer>;
}

const engineer = { __typename: 'User', id: '1', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' };

function file(overrides: Record<string, unknown>) {
  return {
    __typename: 'File',
    id: '1',
    logicalName: 'part.esp',
    revision: 1,
    size: 1000,
    sha256: 'a'.repeat(64),
    scanStatus: 'CLEAN',
    scanDetail: '',
    downloadable: true,
    downloadUrl: '/api/files/1/content',
    addinJobId: null,
    uploadedAt: '2025-03-01T10:00:00Z',
    ...overrides,
  };
}

function routingWith(files: unknown[]) {
  return { routing: { __typename: 'Routing', id: '9', files } };
}

const meta = {
  routingId: '9',
  code: 'R-1',
  title: 'Mill and drill',
  status: 'DRAFT',
  version: 3,
  camRevision: 0,
  files: [{ fileId: '2', logicalName: 'part.esp', revision: 2 }],
};

function fakeServer(answers: Record<string, GraphQLAnswer>): FakeServer {
  const server: FakeServer = { calls: [], variables: {}, restCalls: [], answers: { Me: () => ({ me: engineer }), ...answers } };
  stubFetch({
    graphql({ operationName: name, variables }) {
      server.calls.push(name);
      (server.variables[name] ??= []).push(variables);
      const answer = server.answers[name];
      return { data: answer ? answer(variables) : null };
    },
    other({ url, init }) {
      if (!url.includes('/api/routings/')) return jsonResponse(404, {});
      server.restCalls.push({ url, init });
      return jsonResponse(200, { files: [], meta });
    },
  });
  return server;
}

// -- a fake uploader: the test drives each upload's events -----------------------------------

interface FakeUpload {
  options: CreateUploadOptions;
  handle: UploadHandle;
  starts: number;
  pauses: number;
  cancels: number;
  resumedFrom: PreviousUpload | null;
  discarded: PreviousUpload[];
  progress(sent: number): void;
  retrying(attempt: number): void;
  succeed(uploadId: string): void;
  fail(failure: UploadFailure): void;
}

function fakeUploader(previous: PreviousUpload[] = []) {
  const uploads: FakeUpload[] = [];
  const createUpload: CreateUpload = async (options) => {
    const upload: FakeUpload = {
      options,
      starts: 0,
      pauses: 0,
      cancels: 0,
      resumedFrom: null,
      discarded: [],
      handle: {
        findPrevious: async () => previous,
        resumeFrom: (found) => {
          upload.resumedFrom = found;
        },
        discard: async (found) => {
          upload.discarded.push(found);
        },
        start: () => {
          upload.starts += 1;
        },
        pause: async () => {
          upload.pauses += 1;
        },
        cancel: async () => {
          upload.cancels += 1;
        },
      },
      progress: (sent) => act(() => options.events.onProgress(sent, options.file.size)),
      retrying: (attempt) => act(() => options.events.onRetrying(attempt, 1000)),
      succeed: (uploadId) =>
        act(() => {
          options.events.onUploadId(uploadId);
          options.events.onSuccess(uploadId);
        }),
      fail: (failure) => act(() => options.events.onError(failure)),
    };
    uploads.push(upload);
    return upload.handle;
  };
  return { createUpload, uploads };
}

/** A File that says it is `size` bytes without holding them. */
function bigFile(name: string, size: number): File {
  const picked = new File(['x'], name, { type: 'application/octet-stream', lastModified: 1700000000000 });
  Object.defineProperty(picked, 'size', { value: size });
  return picked;
}

const FAST_POLL: PollTiming = { fastMs: 10, fastForMs: 10_000, slowMs: 10, giveUpAfterMs: 10_000 };

function SignedIn({ children }: { children: ReactNode }) {
  const { state } = useSession();
  return state.status === 'signedIn' ? <>{children}</> : <p>signing in</p>;
}

function renderTab(props: Partial<Parameters<typeof FilesTab>[0]> = {}, live = fakeLive()) {
  render(
    <AppProvider>
      <LiveProvider connection={live.connection}>
        <SignedIn>
          <FilesTab routingId="9" canUpload uploadPollTiming={FAST_POLL} {...props} />
        </SignedIn>
      </LiveProvider>
    </AppProvider>,
  );
  return live;
}

function pick(...files: File[]) {
  const input = screen.getByLabelText('Choose files to upload') as HTMLInputElement;
  fireEvent.change(input, { target: { files } });
}

function uploadItem(name: string): HTMLElement {
  const item = document.querySelector<HTMLElement>(`[data-upload-name="${name}"]`);
  if (!item) throw new Error(`no upload row for ${name}`);
  return item;
}

function toasts() {
  return screen.getByRole('region', { name: 'Notifications' });
}

beforeEach(() => vi.useRealTimers());
afterEach(() => {
  resetUploadStores();
  vi.unstubAllGlobals();
});

describe('FilesTab: the list', () => {
  it('groups revisions by name, newest first, with older ones collapsed', async () => {
    fakeServer({
      FilesTab: () =>
        routingWith([
          file({ id: '1', logicalName: 'part.esp', revision: 1, size: 1000 }),
          file({ id: '2', logicalName: 'part.esp', revision: 2, size: 10_000_000, sha256: 'b'.repeat(64), downloadUrl: '/api/files/2/content' }),
          file({ id: '3', logicalName: 'O1234.nc', revision: 1, addinJobId: '12', downloadUrl: '/api/files/3/content' }),
        ]),
    });
    renderTab();
    const table = await screen.findByRole('table', { name: /Files of this routing/ });
    const bodies = table.querySelectorAll('tbody');
    expect([...bodies].map((body) => body.getAttribute('data-file-group'))).toEqual(['O1234.nc', 'part.esp']);

    const partRows = within(bodies[1] as HTMLElement).getAllByRole('row', { hidden: true });
    expect(partRows.map((row) => row.getAttribute('data-file-id'))).toEqual(['2', '1']);
    const older = partRows[1] as HTMLElement;
    expect(older.hidden).toBe(true);
    expect(within(partRows[0] as HTMLElement).getByText('10 MB')).toBeTruthy();
    const sha = within(partRows[0] as HTMLElement).getByText(/^bbbbbbbbbbbb…$/);
    expect(sha.getAttribute('title')).toBe('b'.repeat(64));

    const toggle = screen.getByRole('button', { name: 'Show 1 older revision of part.esp' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(older.hidden).toBe(false);
    expect(screen.getByRole('button', { name: 'Hide older revisions of part.esp' })).toBe(toggle);

    const download = screen.getByRole('link', { name: 'Download part.esp, revision 2' });
    expect(download.getAttribute('href')).toBe('/api/files/2/content');
    expect(download.hasAttribute('download')).toBe(true);
    expect(screen.getByRole('link', { name: 'Download part.esp, revision 1' })).toBeTruthy();
    expect(screen.getByText('Add-in output (job 12)')).toBeTruthy();
  });

  it('shows every scan status; a quarantined file is marked dangerous and has no download link', async () => {
    fakeServer({
      FilesTab: () =>
        routingWith([
          file({ id: '1', logicalName: 'clean.esp', scanStatus: 'CLEAN' }),
          file({
            id: '2',
            logicalName: 'evil.esp',
            scanStatus: 'QUARANTINED',
            scanDetail: 'Eicar-Test-Signature',
            downloadable: false,
            downloadUrl: null,
          }),
          file({ id: '3', logicalName: 'new.esp', scanStatus: 'PENDING', downloadable: false, downloadUrl: null }),
          file({ id: '4', logicalName: 'odd.esp', scanStatus: 'SCAN_FAILED', scanDetail: 'clamd timed out', downloadable: false, downloadUrl: null }),
          file({ id: '5', logicalName: 'plain.esp', scanStatus: 'SKIPPED', downloadUrl: '/api/files/5/content' }),
        ]),
    });
    renderTab();
    await screen.findByRole('table');
    const row = (id: string) => document.querySelector<HTMLElement>(`tr[data-file-id="${id}"]`) as HTMLElement;

    expect(within(row('1')).getByText('Clean')).toBeTruthy();
    expect(within(row('1')).getByRole('link', { name: /Download clean\.esp/ })).toBeTruthy();

    const evil = row('2');
    expect(evil.className).toContain('files__row--quarantined');
    expect(within(evil).getByText('Quarantined — dangerous')).toBeTruthy();
    expect(within(evil).getByText(/Dangerous: this file was flagged/)).toBeTruthy();
    expect(within(evil).getByText('Eicar-Test-Signature')).toBeTruthy();
    expect(within(evil).queryByRole('link')).toBeNull();
    expect(within(evil).getByText('Not downloadable')).toBeTruthy();

    expect(within(row('3')).getByText('Scanning')).toBeTruthy();
    expect(within(row('3')).queryByRole('link')).toBeNull();
    expect(within(row('4')).getByText('Scan failed')).toBeTruthy();
    expect(within(row('4')).getByText('clamd timed out')).toBeTruthy();
    expect(within(row('5')).getByText('Not scanned')).toBeTruthy();
    expect(within(row('5')).getByRole('link', { name: /Download plain\.esp/ })).toBeTruthy();
  });

  it('says so when there are no files', async () => {
    fakeServer({ FilesTab: () => routingWith([]) });
    renderTab();
    expect(await screen.findByText('No files yet.')).toBeTruthy();
  });

  it('reloads the list on addin.job.updated for this routing only', async () => {
    const server = fakeServer({ FilesTab: () => routingWith([]) });
    const live = renderTab();
    await screen.findByText('No files yet.');
    const count = () => server.calls.filter((name) => name === 'FilesTab').length;
    const before = count();
    server.answers.FilesTab = () => routingWith([file({ id: '7', logicalName: 'O1234.nc', addinJobId: '3' })]);
    live.deliver({
      name: 'addin.job.updated',
      id: '5',
      payload: { jobId: '3', routingId: '9', status: 'COMPLETED', message: null, updatedAt: '2025-03-01T10:00:00Z' },
    });
    expect(await screen.findByText('O1234.nc')).toBeTruthy();
    const after = count();
    expect(after).toBeGreaterThan(before);
    live.deliver({
      name: 'addin.job.updated',
      id: '6',
      payload: { jobId: '4', routingId: '10', status: 'COMPLETED', message: null, updatedAt: '2025-03-01T10:00:00Z' },
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(count()).toBe(after);
  });

  it("shows someone else's committed upload when file.committed arrives for this routing", async () => {
    const server = fakeServer({ FilesTab: () => routingWith([]) });
    const live = renderTab();
    await screen.findByText('No files yet.');
    const count = () => server.calls.filter((name) => name === 'FilesTab').length;
    server.answers.FilesTab = () => routingWith([file({ id: '8', logicalName: 'fixture.esp' })]);
    const committed = (id: string, routingId: string) =>
      live.deliver({
        name: 'file.committed',
        id,
        payload: { fileId: '8', routingId, logicalName: 'fixture.esp', revision: 1, size: 10, sha256: 'ab'.repeat(32), scanStatus: 'CLEAN' },
      });
    committed('11', '10');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(screen.queryByText('fixture.esp')).toBeNull();
    const before = count();
    committed('12', '9');
    expect(await screen.findByText('fixture.esp')).toBeTruthy();
    expect(count()).toBeGreaterThan(before);
  });
});

describe('FilesTab: uploading', () => {
  it('uploads with progress, then follows verification and commit and reloads the list', async () => {
    const server = fakeServer({
      FilesTab: () => routingWith([]),
      FilesUploadSession: () => ({ uploadSession: null }),
    });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');

    pick(bigFile('part.esp', 10_000_000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    const upload = uploader.uploads[0] as FakeUpload;
    expect(upload.options.routingId).toBe('9');
    expect(upload.options.userId).toBe('1');
    expect(upload.options.file.name).toBe('part.esp');

    upload.progress(4_500_000);
    const bar = screen.getByRole('progressbar', { name: 'Upload progress: part.esp' });
    expect(bar.getAttribute('aria-valuenow')).toBe('45');
    expect(bar.getAttribute('aria-valuetext')).toBe('45 % (4.5 MB of 10 MB)');
    expect(screen.getByText('part.esp: 45 % (4.5 MB of 10 MB)')).toBeTruthy();
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('uploading');
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).toBe('Uploading…');

    const answers = ['VERIFYING', 'SCANNING', 'COMMITTED'];
    server.answers.FilesUploadSession = (variables) => {
      const status = answers.shift() ?? 'COMMITTED';
      return {
        uploadSession: {
          __typename: 'UploadSession',
          id: variables.id,
          status,
          size: 10_000_000,
          offset: 10_000_000,
          failureReason: null,
          file: status === 'COMMITTED' ? { __typename: 'File', id: '30', scanStatus: 'CLEAN', scanDetail: '' } : null,
        },
      };
    };
    server.answers.FilesTab = () => routingWith([file({ id: '30', logicalName: 'part.esp', size: 10_000_000 })]);
    const listLoads = server.calls.filter((name) => name === 'FilesTab').length;
    upload.succeed('0123456789abcdef0123456789abcdef');

    await waitFor(() => expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('committed'));
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).toBe('Uploaded and stored.');
    expect(server.variables.FilesUploadSession?.every((v) => v.id === '0123456789abcdef0123456789abcdef')).toBe(true);
    expect(server.variables.FilesUploadSession?.length).toBe(3);
    expect(uploadItem('part.esp').getAttribute('data-upload-id')).toBe('0123456789abcdef0123456789abcdef');
    await waitFor(() => expect(server.calls.filter((name) => name === 'FilesTab').length).toBeGreaterThan(listLoads));
    expect(await screen.findByRole('link', { name: 'Download part.esp, revision 1' })).toBeTruthy();
    expect(within(toasts()).getByText('part.esp uploaded')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss part.esp' }));
    expect(document.querySelector('[data-upload-name="part.esp"]')).toBeNull();
  });

  it('shows "Connection lost — retrying" while tus retries, and goes back to uploading', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 1000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    const upload = uploader.uploads[0] as FakeUpload;
    upload.progress(200);
    upload.retrying(2);
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('retrying');
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).toBe('Connection lost — retrying (attempt 2)…');
    upload.progress(300);
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('uploading');
    expect(screen.getByText('part.esp: 30 % (300 bytes of 1 kB)')).toBeTruthy();
  });

  it('pauses, resumes and cancels', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 1000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    const upload = uploader.uploads[0] as FakeUpload;
    upload.progress(100);

    fireEvent.click(screen.getByRole('button', { name: 'Pause part.esp' }));
    expect(upload.pauses).toBe(1);
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('paused');
    fireEvent.click(screen.getByRole('button', { name: 'Resume part.esp' }));
    expect(upload.starts).toBe(2);
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('uploading');

    fireEvent.click(screen.getByRole('button', { name: 'Cancel part.esp' }));
    await waitFor(() => expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('cancelled'));
    expect(upload.cancels).toBe(1);
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).toBe('Cancelled. Nothing was stored.');
    expect(screen.queryByRole('button', { name: 'Pause part.esp' })).toBeNull();
  });

  it('a failed upload shows a toast with Retry, and Retry starts it again', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 1000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    (uploader.uploads[0] as FakeUpload).fail({ message: 'The store has room for 0 more.', status: 507 });

    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('failed');
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).toBe(
      'Upload failed: The store has room for 0 more.',
    );
    const toast = within(toasts()).getByText('Upload of part.esp failed').closest('li') as HTMLElement;
    expect(within(toast).getByText('The store has room for 0 more.')).toBeTruthy();
    fireEvent.click(within(toast).getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(uploader.uploads[1]?.starts).toBe(1));
    expect(uploader.uploads[1]?.options.file.name).toBe('part.esp');
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('uploading');
    expect(within(toasts()).queryByText('Upload of part.esp failed')).toBeNull();
  });

  it('picking a failed file again starts that upload over in the same row', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    const part = bigFile('part.esp', 1000);
    pick(part);
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    (uploader.uploads[0] as FakeUpload).fail({ message: 'Failed to fetch', status: null });
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('failed');
    pick(part);
    await waitFor(() => expect(uploader.uploads[1]?.starts).toBe(1));
    expect(document.querySelectorAll('[data-upload-name="part.esp"]')).toHaveLength(1);
    expect(uploadItem('part.esp').getAttribute('data-upload-state')).toBe('uploading');
  });

  it('a session that ended is reported without a Retry', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 1000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    (uploader.uploads[0] as FakeUpload).fail({ message: 'Sign in', status: 401 });
    const toast = within(toasts()).getByText('Upload of part.esp failed').closest('li') as HTMLElement;
    expect(within(toast).getByText(/your session has ended/)).toBeTruthy();
    expect(within(toast).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('a quarantined upload is reported with a toast (with Retry) and its detail', async () => {
    const server = fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('evil.esp', 68));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    server.answers.FilesUploadSession = (variables) => ({
      uploadSession: {
        __typename: 'UploadSession',
        id: variables.id,
        status: 'QUARANTINED',
        size: 68,
        offset: 68,
        failureReason: null,
        file: { __typename: 'File', id: '31', scanStatus: 'QUARANTINED', scanDetail: 'Eicar-Test-Signature' },
      },
    });
    (uploader.uploads[0] as FakeUpload).succeed('ffffffffffffffffffffffffffffffff');
    await waitFor(() => expect(uploadItem('evil.esp').getAttribute('data-upload-state')).toBe('quarantined'));
    expect(within(uploadItem('evil.esp')).getByRole('status').textContent).toContain('Eicar-Test-Signature');
    const toast = within(toasts()).getByText('evil.esp was quarantined').closest('li') as HTMLElement;
    expect(within(toast).getByRole('button', { name: 'Retry' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry evil.esp' })).toBeTruthy();
  });

  it('resumes an earlier upload of the same file and says from where', async () => {
    const server = fakeServer({
      FilesTab: () => routingWith([]),
      FilesUploadSession: (variables) => ({
        uploadSession: {
          __typename: 'UploadSession',
          id: variables.id,
          status: 'RECEIVING',
          size: 10_000_000,
          offset: 4_500_000,
          failureReason: null,
          file: null,
        },
      }),
    });
    const earlier: PreviousUpload = { uploadId: 'aaaa', size: 10_000_000, createdAt: 'Sat Mar 01 2025', ref: {} };
    const uploader = fakeUploader([earlier]);
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 10_000_000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));

    const upload = uploader.uploads[0] as FakeUpload;
    expect(upload.resumedFrom).toBe(earlier);
    expect(server.variables.FilesUploadSession?.[0]).toEqual({ id: 'aaaa' });
    const item = uploadItem('part.esp');
    expect(item.getAttribute('data-resumed-from')).toBe('45');
    expect(within(item).getByRole('status').textContent).toContain('Resuming from 45 %');
    expect(screen.getByRole('progressbar', { name: 'Upload progress: part.esp' }).getAttribute('aria-valuenow')).toBe('45');
  });

  it('starts afresh when the earlier upload is already finished', async () => {
    fakeServer({
      FilesTab: () => routingWith([]),
      FilesUploadSession: (variables) => ({
        uploadSession: {
          __typename: 'UploadSession',
          id: variables.id,
          status: 'COMMITTED',
          size: 1000,
          offset: 1000,
          failureReason: null,
          file: { __typename: 'File', id: '3', scanStatus: 'CLEAN', scanDetail: '' },
        },
      }),
    });
    const earlier: PreviousUpload = { uploadId: 'bbbb', size: 1000, createdAt: 'Sat Mar 01 2025', ref: {} };
    const uploader = fakeUploader([earlier]);
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    pick(bigFile('part.esp', 1000));
    await waitFor(() => expect(uploader.uploads[0]?.starts).toBe(1));
    expect(uploader.uploads[0]?.resumedFrom).toBeNull();
    expect(uploader.uploads[0]?.discarded).toEqual([earlier]);
    expect(within(uploadItem('part.esp')).getByRole('status').textContent).not.toContain('Resuming');
  });

  it('uploads several files at once and ignores a file already uploading', async () => {
    fakeServer({ FilesTab: () => routingWith([]), FilesUploadSession: () => ({ uploadSession: null }) });
    const uploader = fakeUploader();
    renderTab({ createUpload: uploader.createUpload });
    await screen.findByText('No files yet.');
    const part = bigFile('part.esp', 1000);
    pick(part, bigFile('O1234.nc', 500));
    await waitFor(() => expect(uploader.uploads.map((upload) => upload.starts)).toEqual([1, 1]));
    expect(screen.getByRole('list', { name: 'Uploads' }).querySelectorAll('li')).toHaveLength(2);
    pick(part);
    expect(await within(toasts()).findByText('part.esp is already being uploaded.')).toBeTruthy();
    expect(uploader.uploads).toHaveLength(2);
  });

  it('explains why uploading is not possible', async () => {
    fakeServer({ FilesTab: () => routingWith([]) });
    renderTab({ canUpload: false });
    await screen.findByText('No files yet.');
    expect(screen.getByText('You cannot upload files to this routing.')).toBeTruthy();
    expect(screen.queryByLabelText('Choose files to upload')).toBeNull();
  });
});

describe('FilesTab: meta.json', () => {
  it('loads meta.json from the REST route with the session cookie and shows it pretty-printed', async () => {
    const server = fakeServer({ FilesTab: () => routingWith([]) });
    renderTab();
    await screen.findByText('No files yet.');
    expect(server.restCalls).toHaveLength(0);
    const toggle = screen.getByRole('button', { name: 'Show meta.json' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const region = await screen.findByRole('region', { name: 'meta.json contents' });
    expect(region.tagName).toBe('PRE');
    expect(region.textContent).toBe(JSON.stringify(meta, null, 2));
    expect(server.restCalls[0]?.url).toBe('/api/routings/9/files');
    expect(server.restCalls[0]?.init?.credentials).toBe('same-origin');
    expect(screen.getByRole('button', { name: 'Copy meta.json' })).toBeTruthy();
  });
});
