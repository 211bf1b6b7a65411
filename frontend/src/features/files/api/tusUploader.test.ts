// The real tus-js-client (its browser build, with localStorage for resuming)
// against a small in-memory tus server behind a fake HTTP stack.
import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHUNK_SIZE, createTusUpload, fingerprintOf } from './tusUploader';
import type { UploadEvents, UploadFailure, UploadHandle } from './uploader';

vi.mock('tus-js-client', async () => await import('tus-js-client/lib.esm/browser/index.js' as string));

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  bytes: number;
}

type Fault = 'network' | { status: number; body?: string };

/** A tus 1.0.0 server in memory; `faults` answers the next matching requests instead. */
class FakeTusServer {
  readonly uploads = new Map<string, { length: number; offset: number; metadata: string }>();
  readonly sent: Sent[] = [];
  readonly faults: { method: string; fault: Fault }[] = [];
  private next = 1;

  readonly stack: HttpStack = {
    createRequest: (method, url) => this.request(method, url),
    getName: () => 'FakeTusServer',
  };

  private request(method: string, url: string): HttpRequest {
    const headers: Record<string, string> = {};
    let onProgress: (bytes: number) => void = () => {};
    const request: HttpRequest = {
      getMethod: () => method,
      getURL: () => url,
      setHeader: (name, value) => {
        headers[name.toLowerCase()] = value;
      },
      getHeader: (name) => headers[name.toLowerCase()],
      setProgressHandler: (handler) => {
        onProgress = handler;
      },
      send: async (body: Blob | null) => {
        const bytes = body ? body.size : 0;
        this.sent.push({ method, url, headers: { ...headers }, bytes });
        const index = this.faults.findIndex((fault) => fault.method === method);
        if (index >= 0) {
          const [{ fault }] = this.faults.splice(index, 1) as [{ method: string; fault: Fault }];
          if (fault === 'network') throw new Error('Failed to fetch');
          return response(fault.status, {}, fault.body ?? '');
        }
        onProgress(bytes);
        return this.answer(method, url, headers, bytes);
      },
      abort: async () => {},
      getUnderlyingObject: () => null,
    };
    return request;
  }

  private answer(method: string, url: string, headers: Record<string, string>, bytes: number): HttpResponse {
    if (method === 'POST') {
      const id = String(this.next++).padStart(32, '0');
      this.uploads.set(id, { length: Number(headers['upload-length']), offset: 0, metadata: headers['upload-metadata'] ?? '' });
      return response(201, { location: `/api/uploads/${id}` });
    }
    const id = url.split('/').pop() ?? '';
    const upload = this.uploads.get(id);
    if (!upload) return response(404, {}, JSON.stringify({ detail: 'gone' }));
    if (method === 'HEAD') {
      return response(200, { 'upload-offset': String(upload.offset), 'upload-length': String(upload.length) });
    }
    if (method === 'PATCH') {
      if (Number(headers['upload-offset']) !== upload.offset) return response(409, { 'upload-offset': String(upload.offset) });
      upload.offset += bytes;
      return response(204, { 'upload-offset': String(upload.offset) });
    }
    if (method === 'DELETE') {
      this.uploads.delete(id);
      return response(204, {});
    }
    return response(405, {});
  }
}

function response(status: number, headers: Record<string, string>, body = ''): HttpResponse {
  return {
    getStatus: () => status,
    getHeader: (name) => headers[name.toLowerCase()],
    getBody: () => body,
    getUnderlyingObject: () => null,
  };
}

/** Events as a log, with a promise for the end (success or error). */
function recorder() {
  const log: string[] = [];
  let settle: (outcome: { ok: true; uploadId: string } | { ok: false; failure: UploadFailure }) => void = () => {};
  const done = new Promise<{ ok: true; uploadId: string } | { ok: false; failure: UploadFailure }>((resolve) => {
    settle = resolve;
  });
  const events: UploadEvents = {
    onProgress: () => {},
    onUploadId: (id) => log.push(`id ${id}`),
    onRetrying: (attempt, delay) => log.push(`retrying ${attempt} in ${delay}`),
    onSuccess: (uploadId) => settle({ ok: true, uploadId }),
    onError: (failure) => settle({ ok: false, failure }),
  };
  return { log, events, done };
}

function decodeMetadata(header: string): Record<string, string> {
  return Object.fromEntries(
    header.split(',').map((pair) => {
      const [key, value] = pair.split(' ');
      return [key, atob(value ?? '')];
    }),
  );
}

const file = (size: number, name = 'part.esp') => new File([new Uint8Array(size)], name, { lastModified: 1700000000000 });

let server: FakeTusServer;
beforeEach(() => {
  server = new FakeTusServer();
  localStorage.clear();
});
afterEach(() => localStorage.clear());

async function start(picked: File, routingId = '9', retryDelays = [0, 0, 0]) {
  const record = recorder();
  const handle = await createTusUpload(
    { file: picked, routingId, userId: '1', events: record.events },
    { httpStack: server.stack, retryDelays },
  );
  return { ...record, handle };
}

describe('createTusUpload', () => {
  it('creates the upload with filename and routingId metadata and sends 10 MiB chunks', async () => {
    const { handle, done, log } = await start(file(CHUNK_SIZE + 5));
    handle.start();
    const outcome = await done;
    expect(outcome).toEqual({ ok: true, uploadId: '00000000000000000000000000000001' });
    const [create, ...patches] = server.sent;
    expect(create?.method).toBe('POST');
    expect(create?.url).toBe(`${window.location.origin}/api/uploads`);
    expect(create?.headers['upload-length']).toBe(String(CHUNK_SIZE + 5));
    expect(create?.headers['tus-resumable']).toBe('1.0.0');
    expect(decodeMetadata(create?.headers['upload-metadata'] ?? '')).toEqual({ filename: 'part.esp', routingId: '9' });
    expect(patches.map((patch) => [patch.method, patch.headers['upload-offset'], patch.bytes])).toEqual([
      ['PATCH', '0', CHUNK_SIZE],
      ['PATCH', String(CHUNK_SIZE), 5],
    ]);
    expect(log).toContain('id 00000000000000000000000000000001');
    // Finished: nothing left to resume.
    expect(Object.keys(localStorage).filter((key) => key.startsWith('tus::'))).toEqual([]);
  });

  it('retries after a dropped connection (even while the browser says it is offline) and reports it', async () => {
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    server.faults.push({ method: 'PATCH', fault: 'network' }, { method: 'PATCH', fault: { status: 503 } });
    const { handle, done, log } = await start(file(1000));
    handle.start();
    const outcome = await done;
    online.mockRestore();
    expect(outcome.ok).toBe(true);
    expect(log.filter((line) => line.startsWith('retrying'))).toEqual(['retrying 1 in 0', 'retrying 2 in 0']);
    expect(server.uploads.get('00000000000000000000000000000001')?.offset).toBe(1000);
  });

  it('gives up on a refusal at once, with the server’s message', async () => {
    server.faults.push({
      method: 'POST',
      fault: { status: 400, body: JSON.stringify({ detail: 'filename may not contain a path.', code: 'INVALID_ARGUMENT' }) },
    });
    const { handle, done, log } = await start(file(10));
    handle.start();
    expect(await done).toEqual({ ok: false, failure: { message: 'filename may not contain a path.', status: 400 } });
    expect(log.filter((line) => line.startsWith('retrying'))).toEqual([]);
  });

  it('remembers an interrupted upload for the same routing and file, and resumes it from the server’s offset', async () => {
    server.faults.push({ method: 'PATCH', fault: 'network' });
    const first = await start(file(CHUNK_SIZE + 100), '9', []);
    first.handle.start();
    const failed = await first.done;
    expect(failed.ok).toBe(false);
    // Pretend the first chunk had arrived before the connection dropped.
    const stored = server.uploads.get('00000000000000000000000000000001');
    if (stored) stored.offset = CHUNK_SIZE;

    // The same file picked again (say after a reload) for another routing: nothing to resume.
    const elsewhere = await start(file(CHUNK_SIZE + 100), '10');
    expect(await elsewhere.handle.findPrevious()).toEqual([]);

    const again = await start(file(CHUNK_SIZE + 100), '9');
    const previous = await again.handle.findPrevious();
    expect(previous.map((upload) => upload.uploadId)).toEqual(['00000000000000000000000000000001']);
    again.handle.resumeFrom(previous[0] as (typeof previous)[number]);
    const before = server.sent.length;
    again.handle.start();
    expect((await again.done).ok).toBe(true);
    const resumed = server.sent.slice(before);
    expect(resumed.map((request) => [request.method, request.headers['upload-offset'] ?? null, request.bytes])).toEqual([
      ['HEAD', null, 0],
      ['PATCH', String(CHUNK_SIZE), 100],
    ]);
  });

  it('cancel deletes the upload on the server and forgets it', async () => {
    server.faults.push({ method: 'PATCH', fault: 'network' });
    const { handle, done } = await start(file(1000), '9', []);
    handle.start();
    await done;
    expect(server.uploads.size).toBe(1);
    await (handle as UploadHandle).cancel();
    expect(server.sent.at(-1)?.method).toBe('DELETE');
    expect(server.uploads.size).toBe(0);
    expect(await handle.findPrevious()).toEqual([]);
  });
});

describe('fingerprintOf', () => {
  it('includes the routing and the user', () => {
    const picked = file(10);
    expect(fingerprintOf(picked, '9', '1')).toContain('routing:9');
    expect(fingerprintOf(picked, '9', '1')).not.toBe(fingerprintOf(picked, '10', '1'));
    expect(fingerprintOf(picked, '9', '1')).not.toBe(fingerprintOf(picked, '9', '2'));
  });
});
