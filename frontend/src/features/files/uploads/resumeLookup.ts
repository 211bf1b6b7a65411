import type { Client } from 'urql';
import type { PreviousUpload, UploadHandle } from '../api/uploader';
import { percentOf } from '../format';
import { fetchUploadSession } from './uploadSession';
import type { UploadItem } from './uploadTypes';

/**
 * Continues the newest earlier upload of this file if the server still receives it, and
 * forgets the others (tus remembers every attempt in local storage). Returns what the
 * upload's row should show about the continued upload, or null when it starts afresh.
 */
export async function resumeIfPossible(client: Client, handle: UploadHandle, file: File): Promise<Partial<UploadItem> | null> {
  let previous: PreviousUpload[] = [];
  try {
    previous = await handle.findPrevious();
  } catch {
    previous = [];
  }
  const [newest, ...older] = previous;
  await Promise.all(older.map((upload) => handle.discard(upload).catch(() => undefined)));
  if (!newest) return null;
  const result = await fetchUploadSession(client, newest.uploadId);
  const session = result.data?.uploadSession;
  if (session && session.status === 'RECEIVING' && session.size === file.size) {
    handle.resumeFrom(newest);
    return {
      uploadId: session.id,
      bytesSent: session.offset,
      resumedFromPercent: percentOf(session.offset, session.size),
    };
  }
  if (!session && result.error?.networkError) {
    // Cannot ask now: let tus ask the upload itself (HEAD) where it stands.
    handle.resumeFrom(newest);
    return { uploadId: newest.uploadId };
  }
  // Finished, cancelled, expired or someone else's: start a new upload.
  await handle.discard(newest).catch(() => undefined);
  return null;
}
