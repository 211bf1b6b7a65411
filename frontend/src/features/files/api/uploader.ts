// The uploader the Files tab drives: one resumable upload of one file. The
// real one (./tusUploader) speaks tus to /api/uploads through tus-js-client;
// tests hand FilesTab a fake with the same shape.

/** Why an upload stopped for good (after the retries ran out, or refused). */
export interface UploadFailure {
  /** The server's message, or the transport's when there was no answer. */
  message: string;
  /** The HTTP status of the last answer; null when the server was not reached. */
  status: number | null;
}

/** An earlier upload of the same file (same routing, user and file) this browser remembers. */
export interface PreviousUpload {
  /** The upload session id (`uploadSession(id)`), the last segment of its URL. */
  uploadId: string;
  size: number | null;
  /** When it was started, as the browser stored it. */
  createdAt: string;
  /** What the implementation needs to resume it. */
  readonly ref: unknown;
}

export interface UploadEvents {
  /** Bytes sent so far (of `bytesTotal`); goes back when a chunk is resent. */
  onProgress(bytesSent: number, bytesTotal: number): void;
  /** The server created (or confirmed) the upload at this id. */
  onUploadId(uploadId: string): void;
  /** The connection failed; attempt number `attempt` starts in `delayMs`. */
  onRetrying(attempt: number, delayMs: number): void;
  /** Every byte is on the server; it now verifies, scans and commits by itself. */
  onSuccess(uploadId: string): void;
  /** Given up: refused, or the retries ran out. */
  onError(failure: UploadFailure): void;
}

export interface UploadHandle {
  /** Earlier, unfinished uploads of this file, newest first. */
  findPrevious(): Promise<PreviousUpload[]>;
  /** Continue `previous` instead of creating a new upload (call before `start`). */
  resumeFrom(previous: PreviousUpload): void;
  /** Forget `previous` (it is finished, cancelled or not ours). */
  discard(previous: PreviousUpload): Promise<void>;
  /** Start, or continue after `pause` (asks the server for its offset first). */
  start(): void;
  /** Stop sending; the server keeps what it has. */
  pause(): Promise<void>;
  /** Stop and delete the upload on the server (tus termination). */
  cancel(): Promise<void>;
}

export interface CreateUploadOptions {
  file: File;
  routingId: string;
  /** Part of the resume fingerprint, so one user never resumes another's upload. */
  userId: string;
  events: UploadEvents;
}

export type CreateUpload = (options: CreateUploadOptions) => Promise<UploadHandle>;

/** The upload session id in a tus upload URL (`/api/uploads/<id>`). */
export function uploadIdOf(url: string | null | undefined): string {
  if (!url) return '';
  const path = url.split(/[?#]/)[0] ?? '';
  const segments = path.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? '';
}
