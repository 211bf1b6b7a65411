// The uploads of one user to one routing, kept outside React so they go on
// (and their Retry toasts keep working) while the Files tab is not shown.
// FilesTab reads it with useUploads(); nothing here renders.
import type { Client } from 'urql';
import type { ToastInput } from '@/components/Toasts';
import { graphql } from '@/gql';
import type { Translate } from '@/i18n';
import { errorCode } from '@/lib/graphql-client';
import type { CreateUpload, PreviousUpload, UploadFailure, UploadHandle } from '../api/uploader';
import { percentOf } from '../format';

export const FilesUploadSessionQuery = graphql(`
  query FilesUploadSession($id: ID!) {
    uploadSession(id: $id) {
      id
      status
      size
      offset
      failureReason
      file {
        id
        scanStatus
        scanDetail
      }
    }
  }
`);

/** Where one upload is, as `data-upload-state` shows it. */
export type UploadState =
  | 'preparing' // looking for an earlier upload of the file, creating the upload
  | 'uploading'
  | 'retrying' // the connection failed; tus-js-client tries again by itself
  | 'paused'
  | 'cancelling'
  | 'verifying' // every byte sent; the server checks the SHA-256
  | 'scanning'
  | 'committed'
  | 'quarantined'
  | 'failed'
  | 'cancelled'
  | 'stalled'; // still not committed when we stopped asking

/** States in which bytes are (or may again be) sent. */
export const SENDING_STATES: ReadonlySet<UploadState> = new Set(['preparing', 'uploading', 'retrying', 'paused', 'cancelling']);
/** Final states that Retry (or picking the file again) starts over. */
export const RETRYABLE_STATES: ReadonlySet<UploadState> = new Set(['quarantined', 'failed', 'cancelled']);
/** States in which nothing more happens to the upload. */
export const FINAL_STATES: ReadonlySet<UploadState> = new Set(['committed', 'quarantined', 'failed', 'cancelled', 'stalled']);

export interface UploadItem {
  readonly key: string;
  readonly fileName: string;
  readonly size: number;
  readonly state: UploadState;
  readonly bytesSent: number;
  /** Set when an earlier upload of this file was continued: how far it had got. */
  readonly resumedFromPercent: number | null;
  /** The upload session id once the server created it. */
  readonly uploadId: string | null;
  /** The current retry attempt while `retrying`. */
  readonly retryAttempt: number;
  /** Why it failed or was quarantined. */
  readonly failure: string | null;
  /** The file it became (committed or quarantined). */
  readonly fileId: string | null;
}

export interface UploadStoreDeps {
  createUpload: CreateUpload;
  client: Client;
  notify(toast: ToastInput): void;
  t: Translate;
}

export interface PollTiming {
  /** Between polls at first… */
  fastMs: number;
  /** …for this long… */
  fastForMs: number;
  /** …then this often… */
  slowMs: number;
  /** …until the upload is called `stalled`. */
  giveUpAfterMs: number;
}

export const DEFAULT_POLL_TIMING: PollTiming = {
  fastMs: 500,
  fastForMs: 60_000,
  slowMs: 2_000,
  giveUpAfterMs: 15 * 60_000,
};

interface Entry {
  item: UploadItem;
  file: File;
  handle: UploadHandle | null;
  /** Bumped on every (re)start: callbacks of an older attempt are ignored. */
  generation: number;
  pollTimer: ReturnType<typeof setTimeout> | null;
}

type Listener = () => void;
type SettledListener = (item: UploadItem) => void;

let nextKey = 1;

function sameFile(a: File, b: File): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified && a.type === b.type;
}

export class UploadStore {
  private entries: Entry[] = [];
  private snapshot: readonly UploadItem[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly settledListeners = new Set<SettledListener>();

  constructor(
    readonly routingId: string,
    readonly userId: string,
    private deps: UploadStoreDeps,
    private readonly timing: PollTiming = DEFAULT_POLL_TIMING,
  ) {
    if (typeof window !== 'undefined') window.addEventListener('online', this.handleOnline);
  }

  /** The latest client, toaster and strings (they change with the session and locale). */
  setDeps(deps: UploadStoreDeps): void {
    this.deps = deps;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): readonly UploadItem[] => this.snapshot;

  /** Called when an upload ends on the server side (committed, quarantined, failed, stalled). */
  onSettled(listener: SettledListener): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  /** Starts one upload per file (continuing an earlier one of the same file if there is one). */
  add(files: readonly File[]): void {
    for (const file of files) {
      const busy = this.entries.some((entry) => !FINAL_STATES.has(entry.item.state) && sameFile(entry.file, file));
      if (busy) {
        this.deps.notify({ severity: 'INFO', title: this.deps.t('files.upload.already', { name: file.name }) });
        continue;
      }
      // Picked again after it failed or was cancelled: that row starts over (resuming if it can).
      const ended = this.entries.find(
        (entry) => RETRYABLE_STATES.has(entry.item.state) && sameFile(entry.file, file),
      );
      if (ended) {
        ended.file = file;
        void ended.handle?.pause();
        void this.begin(ended);
        continue;
      }
      const entry: Entry = {
        file,
        handle: null,
        generation: 0,
        pollTimer: null,
        item: {
          key: `upload-${nextKey++}`,
          fileName: file.name,
          size: file.size,
          state: 'preparing',
          bytesSent: 0,
          resumedFromPercent: null,
          uploadId: null,
          retryAttempt: 0,
          failure: null,
          fileId: null,
        },
      };
      this.entries = [...this.entries, entry];
      this.emit();
      void this.begin(entry);
    }
  }

  pause(key: string): void {
    const entry = this.find(key);
    if (!entry?.handle || (entry.item.state !== 'uploading' && entry.item.state !== 'retrying')) return;
    void entry.handle.pause();
    this.update(entry, { state: 'paused', retryAttempt: 0 });
  }

  resume(key: string): void {
    const entry = this.find(key);
    if (!entry?.handle || entry.item.state !== 'paused') return;
    this.update(entry, { state: 'uploading' });
    entry.handle.start();
  }

  async cancel(key: string): Promise<void> {
    const entry = this.find(key);
    if (!entry || !SENDING_STATES.has(entry.item.state) || entry.item.state === 'cancelling') return;
    if (entry.item.state === 'preparing') {
      // Nothing sent yet: stop the attempt before it starts.
      entry.generation += 1;
      void entry.handle?.pause();
      this.update(entry, { state: 'cancelled', retryAttempt: 0 });
      return;
    }
    const generation = entry.generation;
    const stillCancelling = () => entry.generation === generation && entry.item.state === 'cancelling';
    this.update(entry, { state: 'cancelling', retryAttempt: 0 });
    try {
      await entry.handle?.cancel();
      if (stillCancelling()) this.update(entry, { state: 'cancelled' });
    } catch (error) {
      if (!stillCancelling()) return;
      // The upload is stopped but still on the server: it can be resumed or cancelled again.
      this.update(entry, { state: 'paused' });
      this.deps.notify({
        severity: 'ERROR',
        title: this.deps.t('files.toast.cancelFailed', { name: entry.item.fileName }),
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Starts a failed, quarantined or cancelled upload again (continuing what the server kept). */
  retry(key: string): void {
    const entry = this.find(key);
    if (!entry || !RETRYABLE_STATES.has(entry.item.state)) return;
    void entry.handle?.pause();
    void this.begin(entry);
  }

  /** Removes a finished upload from the list. */
  dismiss(key: string): void {
    const entry = this.find(key);
    if (!entry || !FINAL_STATES.has(entry.item.state)) return;
    this.stopPolling(entry);
    entry.generation += 1;
    this.entries = this.entries.filter((other) => other !== entry);
    this.emit();
  }

  /** Stops everything (tests, or a store no longer needed). The server keeps what it has. */
  dispose(): void {
    if (typeof window !== 'undefined') window.removeEventListener('online', this.handleOnline);
    for (const entry of this.entries) {
      entry.generation += 1;
      this.stopPolling(entry);
      void entry.handle?.pause();
    }
    this.entries = [];
    this.emit();
  }

  // -- one attempt ------------------------------------------------------------------

  private async begin(entry: Entry): Promise<void> {
    const generation = ++entry.generation;
    const current = () => entry.generation === generation;
    this.stopPolling(entry);
    this.update(entry, {
      state: 'preparing',
      bytesSent: 0,
      resumedFromPercent: null,
      uploadId: null,
      retryAttempt: 0,
      failure: null,
      fileId: null,
    });
    let handle: UploadHandle;
    try {
      handle = await this.deps.createUpload({
        file: entry.file,
        routingId: this.routingId,
        userId: this.userId,
        events: {
          onProgress: (sent) => {
            if (!current()) return;
            const state = entry.item.state;
            if (state === 'preparing' || state === 'uploading' || state === 'retrying') {
              this.update(entry, { state: 'uploading', bytesSent: sent, retryAttempt: 0 });
            }
          },
          onUploadId: (uploadId) => {
            if (current() && uploadId) this.update(entry, { uploadId });
          },
          onRetrying: (attempt) => {
            if (!current() || entry.item.state === 'paused' || entry.item.state === 'cancelling') return;
            this.update(entry, { state: 'retrying', retryAttempt: attempt });
          },
          onSuccess: (uploadId) => {
            if (!current()) return;
            this.update(entry, {
              state: 'verifying',
              bytesSent: entry.item.size,
              uploadId: uploadId || entry.item.uploadId,
              retryAttempt: 0,
            });
            this.poll(entry, generation, Date.now());
          },
          onError: (failure) => {
            if (current()) this.fail(entry, failure);
          },
        },
      });
    } catch (error) {
      if (current()) this.fail(entry, { message: error instanceof Error ? error.message : String(error), status: null });
      return;
    }
    if (!current()) {
      void handle.pause();
      return;
    }
    entry.handle = handle;
    await this.resumeIfPossible(entry, handle);
    if (!current() || entry.item.state !== 'preparing') return;
    this.update(entry, { state: 'uploading' });
    handle.start();
  }

  /** Continues the newest earlier upload of this file if the server still receives it. */
  private async resumeIfPossible(entry: Entry, handle: UploadHandle): Promise<void> {
    let previous: PreviousUpload[] = [];
    try {
      previous = await handle.findPrevious();
    } catch {
      previous = [];
    }
    const [newest, ...older] = previous;
    await Promise.all(older.map((upload) => handle.discard(upload).catch(() => undefined)));
    if (!newest) return;
    const result = await this.deps.client
      .query(FilesUploadSessionQuery, { id: newest.uploadId }, { requestPolicy: 'network-only' })
      .toPromise();
    const session = result.data?.uploadSession;
    if (session && session.status === 'RECEIVING' && session.size === entry.file.size) {
      handle.resumeFrom(newest);
      this.update(entry, {
        uploadId: session.id,
        bytesSent: session.offset,
        resumedFromPercent: percentOf(session.offset, session.size),
      });
    } else if (!session && result.error?.networkError) {
      // Cannot ask now: let tus ask the upload itself (HEAD) where it stands.
      handle.resumeFrom(newest);
      this.update(entry, { uploadId: newest.uploadId });
    } else {
      // Finished, cancelled, expired or someone else's: start a new upload.
      await handle.discard(newest).catch(() => undefined);
    }
  }

  private fail(entry: Entry, failure: UploadFailure): void {
    const { t } = this.deps;
    const ended = failure.status === 401;
    const reason = ended ? t('files.upload.sessionEnded') : failure.message || t('files.upload.unknownError');
    this.update(entry, { state: 'failed', failure: reason, retryAttempt: 0 });
    this.notifyFailure(entry, t('files.toast.failed', { name: entry.item.fileName }), reason, !ended);
  }

  private notifyFailure(entry: Entry, title: string, message: string, retryable: boolean): void {
    const key = entry.item.key;
    this.deps.notify({
      severity: 'ERROR',
      title,
      message,
      ...(retryable ? { action: { label: this.deps.t('files.upload.retry'), onClick: () => this.retry(key) } } : {}),
    });
  }

  // -- after the last byte: verify, scan, commit --------------------------------------

  private poll(entry: Entry, generation: number, startedAt: number): void {
    const uploadId = entry.item.uploadId;
    if (!uploadId) {
      this.settle(entry, { state: 'stalled' });
      return;
    }
    const next = () => {
      const elapsed = Date.now() - startedAt;
      if (elapsed >= this.timing.giveUpAfterMs) {
        this.settle(entry, { state: 'stalled' });
        return;
      }
      const delay = elapsed < this.timing.fastForMs ? this.timing.fastMs : this.timing.slowMs;
      entry.pollTimer = setTimeout(() => {
        entry.pollTimer = null;
        this.poll(entry, generation, startedAt);
      }, delay);
    };
    void this.deps.client
      .query(FilesUploadSessionQuery, { id: uploadId }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (entry.generation !== generation) return;
        const session = result.data?.uploadSession;
        if (!session) {
          if (errorCode(result.error) === 'NOT_FOUND') {
            this.fail(entry, { message: result.error?.message ?? '', status: 404 });
          } else next();
          return;
        }
        const { t } = this.deps;
        const name = entry.item.fileName;
        switch (session.status) {
          case 'RECEIVING':
          case 'VERIFYING':
            this.update(entry, { state: 'verifying' });
            next();
            return;
          case 'SCANNING':
            this.update(entry, { state: 'scanning' });
            next();
            return;
          case 'COMMITTED':
            this.settle(entry, { state: 'committed', fileId: session.file?.id ?? null });
            this.deps.notify({ severity: 'SUCCESS', title: t('files.toast.committed', { name }) });
            return;
          case 'QUARANTINED': {
            const detail = session.file?.scanDetail || session.failureReason || '';
            this.settle(entry, { state: 'quarantined', fileId: session.file?.id ?? null, failure: detail || null });
            this.notifyFailure(entry, t('files.toast.quarantined', { name }), detail || t('files.upload.state.quarantined'), true);
            return;
          }
          case 'FAILED':
          case 'CANCELLED':
          case 'EXPIRED': {
            const reason = session.failureReason || t(`files.upload.ended.${session.status}`);
            this.settle(entry, { state: 'failed', failure: reason });
            this.notifyFailure(entry, t('files.toast.failed', { name }), reason, true);
            return;
          }
        }
      });
  }

  private settle(entry: Entry, change: Partial<UploadItem>): void {
    this.stopPolling(entry);
    this.update(entry, change);
    const item = entry.item;
    this.settledListeners.forEach((listener) => listener(item));
  }

  private stopPolling(entry: Entry): void {
    if (entry.pollTimer !== null) clearTimeout(entry.pollTimer);
    entry.pollTimer = null;
  }

  /** Back online: do not wait out the retry delay. */
  private readonly handleOnline = () => {
    for (const entry of this.entries) {
      if (entry.item.state !== 'retrying' || !entry.handle) continue;
      const handle = entry.handle;
      void handle.pause().then(() => {
        if (entry.item.state === 'retrying') handle.start();
      });
    }
  };

  // -- bookkeeping ------------------------------------------------------------------

  private find(key: string): Entry | undefined {
    return this.entries.find((entry) => entry.item.key === key);
  }

  private update(entry: Entry, change: Partial<UploadItem>): void {
    entry.item = { ...entry.item, ...change };
    this.emit();
  }

  private emit(): void {
    this.snapshot = this.entries.map((entry) => entry.item);
    this.listeners.forEach((listener) => listener());
  }
}

const stores = new Map<string, UploadStore>();

/** The one store for this user and routing (created on first use). */
export function uploadStoreFor(userId: string, routingId: string, deps: UploadStoreDeps, timing?: PollTiming): UploadStore {
  const key = `${userId}:${routingId}`;
  let store = stores.get(key);
  if (!store) {
    store = new UploadStore(routingId, userId, deps, timing);
    stores.set(key, store);
  } else {
    store.setDeps(deps);
  }
  return store;
}

/** For tests: forget every store (pausing their uploads). */
export function resetUploadStores(): void {
  stores.forEach((store) => store.dispose());
  stores.clear();
}
