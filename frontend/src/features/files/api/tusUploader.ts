// The real uploader: tus 1.0.0 against /api/uploads through tus-js-client,
// loaded on first use so it stays out of the first JavaScript download.
import type { DetailedError, HttpStack, PreviousUpload as TusPreviousUpload, UploadOptions } from 'tus-js-client';
import { uploadIdOf, type CreateUploadOptions, type PreviousUpload, type UploadFailure, type UploadHandle } from './uploader';

export const UPLOAD_ENDPOINT = '/api/uploads';
/** SPEC §2: the default chunk. */
export const CHUNK_SIZE = 10 * 1024 * 1024;
/**
 * Waits between attempts after a failed request. The count starts over as
 * soon as a chunk gets through, so this is how long a dead connection is
 * tried (about six minutes) before the upload is reported failed.
 */
export const RETRY_DELAYS = [500, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 60000, 60000, 60000, 60000];

/** For tests: a fake HTTP stack and storage instead of XMLHttpRequest and localStorage. */
export interface TusOverrides {
  httpStack?: HttpStack;
  retryDelays?: number[];
  urlStorage?: UploadOptions['urlStorage'];
}

/**
 * What identifies "the same upload" across page reloads: the routing, the
 * user and the file as the browser describes it (name, type, size, mtime).
 */
export function fingerprintOf(file: File, routingId: string, userId: string): string {
  return ['mcms', `routing:${routingId}`, `user:${userId}`, file.name, file.type, file.size, file.lastModified].join('|');
}

function isDetailed(error: Error): error is DetailedError {
  return 'originalRequest' in error;
}

/** Connection failures, server errors, 409 (offset moved) and 423 (locked) are worth retrying; other 4xx are not. */
export function isRetryable(error: Error): boolean {
  if (!isDetailed(error)) return false;
  const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
  if (status === 0) return true;
  if (status === 409 || status === 423 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 507;
}

/** The server's own message (problem+json `detail`) when it sent one. */
export function failureOf(error: Error): UploadFailure {
  if (!isDetailed(error) || !error.originalResponse) {
    return { message: isDetailed(error) && error.causingError ? error.causingError.message : error.message, status: null };
  }
  const status = error.originalResponse.getStatus();
  let message = '';
  try {
    const body = JSON.parse(error.originalResponse.getBody() || 'null') as {
      detail?: unknown;
      error?: { message?: unknown };
    } | null;
    if (typeof body?.detail === 'string') message = body.detail;
    else if (typeof body?.error?.message === 'string') message = body.error.message;
  } catch {
    message = '';
  }
  return { message: message || `HTTP ${status}`, status: status || null };
}

export async function createTusUpload(options: CreateUploadOptions, overrides: TusOverrides = {}): Promise<UploadHandle> {
  const tus = await import('tus-js-client');
  const { file, routingId, userId, events } = options;
  const retryDelays = overrides.retryDelays ?? RETRY_DELAYS;
  const urlStorage = overrides.urlStorage ?? tus.defaultOptions.urlStorage;
  const endpoint = new URL(UPLOAD_ENDPOINT, window.location.href).href;

  const tusOptions: UploadOptions = {
    endpoint,
    chunkSize: CHUNK_SIZE,
    retryDelays,
    metadata: { filename: file.name, routingId },
    fingerprint: async (picked: File) => fingerprintOf(picked, routingId, userId),
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    urlStorage,
    onProgress: (sent, total) => events.onProgress(sent, total),
    onUploadUrlAvailable: () => events.onUploadId(uploadIdOf(upload.url)),
    // tus-js-client gives up at once while navigator.onLine is false; a
    // dropped network is exactly when to keep trying.
    onShouldRetry: (error, attempt) => {
      const retry = isRetryable(error);
      if (retry) events.onRetrying(attempt + 1, retryDelays[attempt] ?? 0);
      return retry;
    },
    onSuccess: () => events.onSuccess(uploadIdOf(upload.url)),
    onError: (error) => events.onError(failureOf(error)),
  };
  if (overrides.httpStack) tusOptions.httpStack = overrides.httpStack;

  const upload = new tus.Upload(file, tusOptions);

  const toPrevious = (previous: TusPreviousUpload): PreviousUpload => ({
    uploadId: uploadIdOf(previous.uploadUrl),
    size: previous.size,
    createdAt: previous.creationTime,
    ref: previous,
  });

  return {
    async findPrevious() {
      const found = await upload.findPreviousUploads();
      return found
        .filter((previous) => previous.uploadUrl)
        .map(toPrevious)
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    },
    resumeFrom(previous) {
      upload.resumeFromPreviousUpload(previous.ref as TusPreviousUpload);
    },
    async discard(previous) {
      await urlStorage?.removeUpload((previous.ref as TusPreviousUpload).urlStorageKey);
    },
    start() {
      upload.start();
    },
    pause() {
      return upload.abort(false);
    },
    async cancel() {
      await upload.abort(false);
      const url = upload.url;
      if (!url) return;
      // Not abort(true): its retries would report "retrying" and keep trying a 409.
      const terminateOptions: UploadOptions = {
        retryDelays: [500, 1500],
        onShouldRetry: (error) => {
          const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
          return status === 0 || status >= 500;
        },
      };
      if (overrides.httpStack) terminateOptions.httpStack = overrides.httpStack;
      try {
        await tus.Upload.terminate(url, terminateOptions);
      } catch (error) {
        const failure = error instanceof Error ? failureOf(error) : { message: String(error), status: null };
        // Already gone (cancelled, expired) is what we wanted.
        if (failure.status !== 404 && failure.status !== 410) throw new Error(failure.message);
      }
      const stored = await upload.findPreviousUploads();
      await Promise.all(
        stored.filter((previous) => previous.uploadUrl === url).map((previous) => urlStorage?.removeUpload(previous.urlStorageKey)),
      );
    },
  };
}
