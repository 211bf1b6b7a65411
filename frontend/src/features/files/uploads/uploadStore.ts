// The uploads of one user to one routing, one store each, kept outside React.
// FilesTab reads it with useUploads(); nothing here renders. The pieces live next door:
// uploadTypes (states), uploadQueue (the store), pollUploadSession, resumeLookup, uploadToasts.
import { UploadStore } from './uploadQueue';
import type { PollTiming, UploadStoreDeps } from './uploadTypes';

// Re-exported: the panel, the hook and the tests import them from here.
export { UploadStore } from './uploadQueue';
export { FilesUploadSessionQuery } from './uploadSession';
export {
  DEFAULT_POLL_TIMING,
  FINAL_STATES,
  RETRYABLE_STATES,
  SENDING_STATES,
  type PollTiming,
  type UploadItem,
  type UploadState,
  type UploadStoreDeps,
} from './uploadTypes';

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
