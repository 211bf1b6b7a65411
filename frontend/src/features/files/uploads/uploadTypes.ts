// The upload state machine's vocabulary, shared by the store and the panel that shows it.
import type { Client } from 'urql';
import type { ToastInput } from '@/components/Toasts';
import type { Translate } from '@/i18n';
import type { CreateUpload, UploadHandle } from '../api/uploader';

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

/** What every (re)start of an upload resets: an earlier attempt's progress and outcome no longer apply. */
export const FRESH_ATTEMPT = {
  state: 'preparing',
  bytesSent: 0,
  resumedFromPercent: null,
  uploadId: null,
  retryAttempt: 0,
  failure: null,
  fileId: null,
} as const satisfies Partial<UploadItem>;

/** The store's mutable record of one upload; `item` is the immutable row React sees. */
export interface UploadEntry {
  item: UploadItem;
  file: File;
  handle: UploadHandle | null;
  /** Bumped on every (re)start: callbacks of an older attempt are ignored. */
  generation: number;
  pollTimer: ReturnType<typeof setTimeout> | null;
}

let nextKey = 1;

/** A new upload of `file`, before anything was sent. */
export function newUploadEntry(file: File): UploadEntry {
  return {
    file,
    handle: null,
    generation: 0,
    pollTimer: null,
    item: { key: `upload-${nextKey++}`, fileName: file.name, size: file.size, ...FRESH_ATTEMPT },
  };
}

/** The same file picked again (File objects differ between pickings, so compare what identifies it). */
export function sameFile(a: File, b: File): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified && a.type === b.type;
}
