import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AddinJobStatus } from '@/gql/graphql';
import { fakeLive } from '@/testing/fakeLive';
import { fakeServer, type RestAnswer } from '@/testing/fakeServer';
import { users, type TestUser } from '@/testing/fixtures';
import { renderPage } from '@/testing/render';
import { job, jobsAnswer, output } from '../testing/jobs';
import { AddinPanelPage } from './AddinPanelPage';

afterEach(() => vi.unstubAllGlobals());

const dashboard = {
  generatedAt: '2030-01-01T10:05:00Z',
  queueDepth: 1,
  runningJobs: 1,
  oldestQueuedSeconds: 125,
  jobsByStatus: { QUEUED: 1, RUNNING: 1, COMPLETED: 7, FAILED: 2, CANCELLED: 0 },
  approvalLeadTime: { windowDays: 30, count: 4, averageSeconds: 5400, medianSeconds: 3720, p95Seconds: 9000 },
};

type Jobs = Partial<Record<AddinJobStatus | 'ALL', unknown[]>>;

function setup(user: TestUser, jobs: () => Jobs, rest: () => RestAnswer = () => ({ status: 200, json: dashboard }), path = '/addin') {
  const server = fakeServer(
    user,
    {
      AddinJobsPage: (variables) => {
        const status = (variables.status as AddinJobStatus | null) ?? 'ALL';
        return jobsAnswer(jobs()[status] ?? []);
      },
      AddinJobCounts: () => ({
        data: {
          queued: { totalCount: 3 },
          running: { totalCount: 2 },
          completed: { totalCount: 5 },
          failed: { totalCount: 1 },
          cancelled: { totalCount: 0 },
        },
      }),
      AddinRetryJob: (variables) => ({ data: { retryAddinJob: job({ id: '20', status: 'QUEUED', retryOfId: variables.id }) } }),
    },
    { '/api/metrics/dashboard': rest },
  );
  const live = fakeLive({ openAtOnce: true });
  const view = renderPage(<AddinPanelPage />, live, path);
  return { server, live, ...view };
}

const running = job({ id: '12', status: 'RUNNING', routingId: '9', code: 'R-100' });
const queued = job({ id: '13', status: 'QUEUED', routingId: '10', code: 'R-200', ownerId: '2' });
const completed = job({
  id: '11',
  status: 'COMPLETED',
  outputs: [output('O1234.nc', 2048, { id: '70' })],
});
const failed = job({ id: '10', status: 'FAILED', routingId: '10', code: 'R-200', ownerId: '2', message: 'Tool T12 missing' });

function table(testId: string): HTMLElement {
  return screen.getByTestId(testId);
}

function rowOf(testId: string, jobId: string): HTMLElement {
  const row = table(testId).querySelector<HTMLElement>(`tr[data-job-id="${jobId}"]`);
  if (!row) throw new Error(`No row for job ${jobId} in ${testId}`);
  return row;
}

describe('AddinPanelPage', () => {
  it('shows the key figures, the live queue and the recent results', async () => {
    const { server } = setup(users.approver, () => ({
      RUNNING: [running],
      QUEUED: [queued],
      ALL: [queued, running, completed, failed],
    }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Add-in control panel' })).toBeTruthy();
    expect(document.title).toBe('Add-in control panel · MCMS');

    // Key figures come from the REST dashboard, with the session cookie.
    await waitFor(() => expect(document.querySelector('[data-kpi="queueDepth"]')?.textContent).toBe('1'));
    expect(document.querySelector('[data-kpi="oldestQueued"]')?.textContent).toBe('2 min');
    expect(document.querySelector('[data-kpi-status="COMPLETED"]')?.textContent).toBe('Completed: 7');
    expect(document.querySelector('[data-kpi="approvalLeadTime"]')?.textContent).toBe(
      'median 1 h 2 min, average 1 h 30 min, 95th percentile 2 h 30 min, over 4 approvals',
    );
    const fetchMock = vi.mocked(fetch);
    const dashboardCall = fetchMock.mock.calls.find(([url]) => String(url) === '/api/metrics/dashboard');
    expect(dashboardCall?.[1]?.credentials).toBe('same-origin');

    // The live queue: running first, then queued, with attempt, agent, progress and message.
    await waitFor(() => expect(table('addin-queue').querySelectorAll('tbody tr')).toHaveLength(2));
    const queueRows = [...table('addin-queue').querySelectorAll('tbody tr')].map((row) => row.getAttribute('data-job-id'));
    expect(queueRows).toEqual(['12', '13']);
    const runningRow = rowOf('addin-queue', '12');
    expect(within(runningRow).getByRole('link', { name: 'R-100' }).getAttribute('href')).toBe('/routings/9/addin');
    expect(within(runningRow).getByText('1 of 3')).toBeTruthy();
    expect(within(runningRow).getByText('cam-pc-01')).toBeTruthy();
    expect(within(runningRow).getByText('Generating toolpaths')).toBeTruthy();
    expect((within(runningRow).getByRole('progressbar', { name: 'Progress of job 12' }) as HTMLProgressElement).value).toBe(40);
    expect(within(rowOf('addin-queue', '13')).getByText('not claimed')).toBeTruthy();

    // Recent results: only finished jobs, with the reason and the outputs.
    await waitFor(() => expect(table('addin-results').querySelectorAll('tbody tr')).toHaveLength(2));
    const failedRow = rowOf('addin-results', '10');
    expect(within(failedRow).getByText('The add-in reported a failure')).toBeTruthy();
    expect(within(failedRow).getByText('Tool T12 missing')).toBeTruthy();
    const doneRow = rowOf('addin-results', '11');
    expect(within(doneRow).getByRole('link', { name: 'Download O1234.nc' }).getAttribute('href')).toBe('/api/files/70/content');
    expect(within(doneRow).getByText('2 kB')).toBeTruthy();
    expect(within(doneRow).getByRole('link', { name: 'Files of R-100' }).getAttribute('href')).toBe('/routings/9/files');

    expect(server.callsOf('AddinJobsPage').map((call) => call.variables.status)).toEqual(
      expect.arrayContaining(['RUNNING', 'QUEUED', null]),
    );
  });

  it('offers Retry and Cancel only on the jobs the user may manage', async () => {
    setup(users.engineer, () => ({ RUNNING: [running], QUEUED: [queued], ALL: [completed, failed] }));
    // The engineer owns R-100 (jobs 11, 12), not R-200 (jobs 10, 13).
    expect(await screen.findByRole('button', { name: 'Cancel job 12 (R-100)' })).toBeTruthy();
    await screen.findByRole('link', { name: 'Download O1234.nc' });
    expect(screen.queryByRole('button', { name: 'Cancel job 13 (R-200)' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry job 10 (R-200)' })).toBeNull();
    // A completed job is never retried nor cancelled from here.
    expect(screen.queryByRole('button', { name: /job 11/ })).toBeNull();
  });

  it('retries a failed job with its id', async () => {
    const { server } = setup(users.approver, () => ({ ALL: [failed] }));
    fireEvent.click(await screen.findByRole('button', { name: 'Retry job 10 (R-200)' }));
    await waitFor(() => expect(server.callsOf('AddinRetryJob')).toHaveLength(1));
    expect(server.callsOf('AddinRetryJob')[0]?.variables).toEqual({ id: '10' });
    expect(await screen.findByText('Job 10 (R-200) queued again as job 20')).toBeTruthy();
  });

  it('filters by status', async () => {
    const { server, router } = setup(users.auditor, () => ({ FAILED: [failed], ALL: [completed, failed] }));
    const filter = await screen.findByRole('combobox', { name: 'Show jobs' });
    fireEvent.change(filter, { target: { value: 'FAILED' } });
    await waitFor(() => expect(router.state.location.search).toBe('?status=FAILED'));
    await waitFor(() => expect(server.callsOf('AddinJobsPage').some((call) => call.variables.status === 'FAILED')).toBe(true));
    expect(screen.queryByRole('heading', { name: 'Live queue' })).toBeNull();
    await waitFor(() => expect(table('addin-results').querySelectorAll('tbody tr')).toHaveLength(1));
    expect(rowOf('addin-results', '10')).toBeTruthy();
    // An auditor reads everything and changes nothing.
    expect(screen.queryByRole('button', { name: /Retry/ })).toBeNull();
  });

  it('refreshes on live job events', async () => {
    let queue = [queued];
    const { live } = setup(users.approver, () => ({ QUEUED: queue, RUNNING: [] }));
    await waitFor(() => expect(table('addin-queue').querySelectorAll('tbody tr')).toHaveLength(1));
    queue = [job({ id: '14', status: 'QUEUED', code: 'R-300' }), queued];
    live.emit('addin.job.created', { jobId: '14', routingId: '11', createdAt: '2030-01-01T10:06:00Z' });
    expect(await screen.findByRole('link', { name: 'R-300' })).toBeTruthy();
  });

  it('falls back to GraphQL counts when the dashboard refuses', async () => {
    setup(users.approver, () => ({}), () => ({ status: 403, json: { detail: 'Forbidden', code: 'FORBIDDEN' } }));
    expect(await screen.findByText(/The key figures could not be loaded \(Forbidden\)/)).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-kpi="queueDepth"]')?.textContent).toBe('3'));
    expect(document.querySelector('[data-kpi-status="FAILED"]')?.textContent).toBe('Failed: 1');
    expect(document.querySelector('[data-kpi="approvalLeadTime"]')?.textContent).toBe('Not available.');
    expect(await screen.findByText('No job is queued or running.')).toBeTruthy();
  });
});
