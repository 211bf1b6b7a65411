import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useClient } from 'urql';
import { useToasts } from '@/components/Toasts';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { useI18n } from '@/i18n';
import { createTusUpload } from '../api/tusUploader';
import type { CreateUpload } from '../api/uploader';
import { uploadStoreFor, type PollTiming, type UploadItem, type UploadStore } from './uploadStore';

const defaultCreateUpload: CreateUpload = (options) => createTusUpload(options);

export interface UseUploadsOptions {
  routingId: string;
  createUpload?: CreateUpload | undefined;
  pollTiming?: PollTiming | undefined;
  /** Called when an upload ends on the server (the file list should be reloaded). */
  onSettled?: ((item: UploadItem) => void) | undefined;
}

/** The signed-in user's uploads to this routing, and the store to act on them. */
export function useUploads({ routingId, createUpload, pollTiming, onSettled }: UseUploadsOptions): {
  store: UploadStore;
  items: readonly UploadItem[];
} {
  const user = useSignedInUser();
  const client = useClient();
  const { push } = useToasts();
  const { t } = useI18n();
  const deps = { createUpload: createUpload ?? defaultCreateUpload, client, notify: push, t };
  const latestDeps = useRef(deps);
  latestDeps.current = deps;
  const store = useMemo(() => uploadStoreFor(user.id, routingId, latestDeps.current, pollTiming), [user.id, routingId]);
  useEffect(() => {
    store.setDeps(latestDeps.current);
  });
  const settled = useRef(onSettled);
  settled.current = onSettled;
  useEffect(() => store.onSettled((item) => settled.current?.(item)), [store]);
  const items = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return { store, items };
}
