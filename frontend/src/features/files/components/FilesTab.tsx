// The routing workspace's Files tab: upload (tus, resumable), every stored
// revision with its scan verdict and download link, and the meta.json the
// add-in reads. RoutingRoute renders it inside the tab panel (no <h1> here).
import { useCallback, useEffect, useId, useState } from 'react';
import { useQuery } from 'urql';
import { QueryError } from '@/components/QueryError';
import { graphql } from '@/gql';
import { useI18n } from '@/i18n';
import { useLiveRefresh } from '@/lib/live/LiveProvider';
import type { CreateUpload } from '../api/uploader';
import type { PollTiming } from '../uploads/uploadStore';
import { FileList } from './FileList';
import { MetaJsonPreview } from './MetaJsonPreview';
import { UploadPanel } from './UploadPanel';
import '../files.css';

export const FilesTabQuery = graphql(`
  query FilesTab($id: ID!) {
    routing(id: $id) {
      id
      files {
        ...FilesTabFile
      }
    }
  }
`);

/** While a file is still being scanned, look again this often. */
const PENDING_SCAN_REFRESH_MS = 5000;

export interface FilesTabProps {
  routingId: string;
  /** Whether the signed-in user may upload to this routing now. */
  canUpload: boolean;
  /** Why uploads are not possible, if the workspace knows better than the generic explanation. */
  uploadBlockedReason?: string;
  /** The uploader (default: tus-js-client against /api/uploads); tests pass a fake. */
  createUpload?: CreateUpload;
  /** How often an upload's verification and scan are polled (tests shorten it). */
  uploadPollTiming?: PollTiming;
}

export function FilesTab({ routingId, canUpload, uploadBlockedReason, createUpload, uploadPollTiming }: FilesTabProps) {
  const { t } = useI18n();
  const headingId = useId();
  const listHeadingId = useId();
  const [result, reexecute] = useQuery({ query: FilesTabQuery, variables: { id: routingId } });
  const [metaVersion, setMetaVersion] = useState(0);

  const refresh = useCallback(() => {
    reexecute({ requestPolicy: 'network-only' });
    setMetaVersion((n) => n + 1);
  }, [reexecute]);

  // Someone's finished upload, or an add-in output, is a new file of the routing.
  useLiveRefresh(
    ['addin.job.updated', 'file.committed'],
    refresh,
    (event) =>
      (event.name === 'addin.job.updated' || event.name === 'file.committed') && event.payload.routingId === routingId,
  );

  const files = result.data?.routing?.files ?? [];
  const scanning = files.some((file) => file.scanStatus === 'PENDING');
  useEffect(() => {
    if (!scanning) return;
    const timer = setInterval(refresh, PENDING_SCAN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [scanning, refresh]);

  return (
    <section className="files-tab" aria-labelledby={headingId}>
      {/* The tab already says "Files": the heading is for the outline, not the eye. */}
      <h2 id={headingId} className="visually-hidden">
        {t('files.heading')}
      </h2>
      <UploadPanel
        routingId={routingId}
        canUpload={canUpload}
        blockedReason={uploadBlockedReason}
        createUpload={createUpload}
        pollTiming={uploadPollTiming}
        onSettled={refresh}
      />
      <section className="files__list" aria-labelledby={listHeadingId}>
        <h3 id={listHeadingId}>{t('files.list.heading')}</h3>
        {result.error && !result.data ? (
          <QueryError error={result.error} onRetry={refresh} />
        ) : !result.data ? (
          <p role="status" className="muted">
            {t('app.loading')}
          </p>
        ) : (
          <FileList files={files} />
        )}
      </section>
      <MetaJsonPreview routingId={routingId} refreshKey={metaVersion} />
    </section>
  );
}
