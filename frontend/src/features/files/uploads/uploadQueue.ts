// Drives each upload of one user to one routing through its states: creating or resuming
// the tus upload, sending, then polling the server until the file is committed or refused.
// It lives outside React so uploads go on (and their Retry toasts keep working) while the
// Files tab is not shown.
import type { UploadFailure, UploadHandle } from '../api/uploader';
import { pollUploadSession, type SessionOutcome } from './pollUploadSession';
import { resumeIfPossible } from './resumeLookup';
import { alreadyUploadingToast, cancelFailedToast, committedToast, failureToast } from './uploadToasts';
import {
  DEFAULT_POLL_TIMING,
  FINAL_STATES,
  FRESH_ATTEMPT,
  newUploadEntry,
  RETRYABLE_STATES,
  sameFile,
  SENDING_STATES,
  type PollTiming,
  type UploadEntry,
  type UploadItem,
  type UploadStoreDeps,
} from './uploadTypes';

type Listener = () => void;
type SettledListener = (item: UploadItem) => void;

export class UploadStore {
  private entries: UploadEntry[] = [];
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
        this.deps.notify(alreadyUploadingToast(this.deps.t, file.name));
        continue;
      }
      // Picked again after it failed or was cancelled: that row starts over (resuming if it can).
      const ended = this.entries.find((entry) => RETRYABLE_STATES.has(entry.item.state) && sameFile(entry.file, file));
      if (ended) {
        ended.file = file;
        void ended.handle?.pause();
        void this.begin(ended);
        continue;
      }
      const entry = newUploadEntry(file);
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
      this.deps.notify(cancelFailedToast(this.deps.t, entry.item.fileName, error));
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

  private async begin(entry: UploadEntry): Promise<void> {
    const generation = ++entry.generation;
    const current = () => entry.generation === generation;
    this.stopPolling(entry);
    this.update(entry, FRESH_ATTEMPT);
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
            this.poll(entry, generation);
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
    // Applied even if the attempt was cancelled meanwhile: the row then shows how far the server got.
    const resumed = await resumeIfPossible(this.deps.client, handle, entry.file);
    if (resumed) this.update(entry, resumed);
    if (!current() || entry.item.state !== 'preparing') return;
    this.update(entry, { state: 'uploading' });
    handle.start();
  }

  private fail(entry: UploadEntry, failure: UploadFailure): void {
    const { t } = this.deps;
    const ended = failure.status === 401;
    const reason = ended ? t('files.upload.sessionEnded') : failure.message || t('files.upload.unknownError');
    this.update(entry, { state: 'failed', failure: reason, retryAttempt: 0 });
    this.notifyFailure(entry, t('files.toast.failed', { name: entry.item.fileName }), reason, !ended);
  }

  private notifyFailure(entry: UploadEntry, title: string, message: string, retryable: boolean): void {
    const key = entry.item.key;
    this.deps.notify(failureToast(this.deps.t, title, message, retryable ? () => this.retry(key) : null));
  }

  // -- after the last byte: verify, scan, commit --------------------------------------

  private poll(entry: UploadEntry, generation: number): void {
    pollUploadSession(
      {
        client: () => this.deps.client,
        uploadId: () => entry.item.uploadId,
        isCurrent: () => entry.generation === generation,
        setTimer: (timer) => {
          entry.pollTimer = timer;
        },
        onOutcome: (outcome) => this.applyOutcome(entry, outcome),
      },
      this.timing,
      Date.now(),
    );
  }

  private applyOutcome(entry: UploadEntry, outcome: SessionOutcome): void {
    const { t } = this.deps;
    const name = entry.item.fileName;
    switch (outcome.kind) {
      case 'checking':
        this.update(entry, { state: outcome.state });
        return;
      case 'stalled':
        this.settle(entry, { state: 'stalled' });
        return;
      case 'notFound':
        this.fail(entry, { message: outcome.message, status: 404 });
        return;
      case 'committed':
        this.settle(entry, { state: 'committed', fileId: outcome.fileId });
        this.deps.notify(committedToast(t, name));
        return;
      case 'quarantined':
        this.settle(entry, { state: 'quarantined', fileId: outcome.fileId, failure: outcome.detail || null });
        this.notifyFailure(entry, t('files.toast.quarantined', { name }), outcome.detail || t('files.upload.state.quarantined'), true);
        return;
      case 'ended': {
        const reason = outcome.failureReason || t(`files.upload.ended.${outcome.status}`);
        this.settle(entry, { state: 'failed', failure: reason });
        this.notifyFailure(entry, t('files.toast.failed', { name }), reason, true);
        return;
      }
    }
  }

  private settle(entry: UploadEntry, change: Partial<UploadItem>): void {
    this.stopPolling(entry);
    this.update(entry, change);
    const item = entry.item;
    this.settledListeners.forEach((listener) => listener(item));
  }

  private stopPolling(entry: UploadEntry): void {
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

  private find(key: string): UploadEntry | undefined {
    return this.entries.find((entry) => entry.item.key === key);
  }

  private update(entry: UploadEntry, change: Partial<UploadItem>): void {
    entry.item = { ...entry.item, ...change };
    this.emit();
  }

  private emit(): void {
    this.snapshot = this.entries.map((entry) => entry.item);
    this.listeners.forEach((listener) => listener());
  }
}
