// Every revision of every logical file name of a routing: one group per name,
// its newest revision first, the older ones behind a toggle.
import { useId, useState, type ReactNode } from 'react';
import { graphql } from '@/gql';
import type { FilesTabFileFragment } from '@/gql/graphql';
import { useToasts } from '@/components/Toasts';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { formatBytes } from '@/lib/format';
import { shortSha } from '../format';
import { ScanBadge } from './ScanBadge';

export const FilesTabFileFragmentDoc = graphql(`
  fragment FilesTabFile on File {
    id
    logicalName
    revision
    size
    sha256
    scanStatus
    scanDetail
    downloadable
    downloadUrl
    addinJobId
    uploadedAt
  }
`);

export type FileRow = FilesTabFileFragment;

export interface FileGroup {
  logicalName: string;
  newest: FileRow;
  /** Older revisions, newest first. */
  older: FileRow[];
}

/** Groups by logical name (names in alphabetical order), revisions newest first. */
export function groupFiles(files: readonly FileRow[]): FileGroup[] {
  const byName = new Map<string, FileRow[]>();
  for (const file of files) {
    const list = byName.get(file.logicalName) ?? [];
    list.push(file);
    byName.set(file.logicalName, list);
  }
  const groups: FileGroup[] = [];
  for (const [logicalName, revisions] of byName) {
    const [newest, ...older] = [...revisions].sort((a, b) => b.revision - a.revision);
    if (newest) groups.push({ logicalName, newest, older });
  }
  return groups.sort((a, b) => a.logicalName.localeCompare(b.logicalName));
}

export function FileList({ files }: { files: readonly FileRow[] }) {
  const { t } = useI18n();
  const groups = groupFiles(files);
  if (groups.length === 0) return <p className="empty">{t('files.list.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="table files__table">
        <caption className="visually-hidden">{t('files.list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('files.col.name')}</th>
            <th scope="col">{t('files.col.revision')}</th>
            <th scope="col" className="num">
              {t('files.col.size')}
            </th>
            <th scope="col">{t('files.col.sha256')}</th>
            <th scope="col">{t('files.col.scan')}</th>
            <th scope="col">{t('files.col.uploaded')}</th>
            <th scope="col">{t('files.col.download')}</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <FileGroupRows key={group.logicalName} group={group} />
        ))}
      </table>
    </div>
  );
}

function FileGroupRows({ group }: { group: FileGroup }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const baseId = useId();
  const olderIds = group.older.map((file) => `${baseId}-${file.id}`);
  const count = group.older.length;
  const toggle =
    count > 0 ? (
      <button
        type="button"
        className="files__older-toggle"
        aria-expanded={open}
        aria-controls={olderIds.join(' ')}
        onClick={() => setOpen((value) => !value)}
      >
        {open ? t('files.older.hide') : count === 1 ? t('files.older.showOne') : t('files.older.show', { count })}
        <span className="visually-hidden"> {t('files.older.of', { name: group.logicalName })}</span>
      </button>
    ) : null;
  return (
    <tbody className="files__group" data-file-group={group.logicalName}>
      <FileRowView file={group.newest} toggle={toggle} />
      {group.older.map((file, index) => (
        <FileRowView key={file.id} file={file} older id={olderIds[index]} hidden={!open} />
      ))}
    </tbody>
  );
}

function FileRowView({
  file,
  toggle,
  older = false,
  id,
  hidden = false,
}: {
  file: FileRow;
  toggle?: ReactNode;
  older?: boolean;
  id?: string | undefined;
  hidden?: boolean;
}) {
  const { t, locale } = useI18n();
  const { push } = useToasts();
  const quarantined = file.scanStatus === 'QUARANTINED';
  const classes = ['files__row', older ? 'files__row--older' : '', quarantined ? 'files__row--quarantined' : '']
    .filter(Boolean)
    .join(' ');
  const target = t('files.download.target', { name: file.logicalName, revision: file.revision });

  const copySha = async () => {
    try {
      await navigator.clipboard.writeText(file.sha256);
      push({ severity: 'SUCCESS', title: t('files.copied'), message: file.sha256 });
    } catch {
      push({ severity: 'WARNING', title: t('files.copyFailed'), message: file.sha256 });
    }
  };

  return (
    <tr id={id} hidden={hidden} className={classes} data-file-id={file.id} data-scan-status={file.scanStatus}>
      <th scope="row">
        <span className="files__name">{file.logicalName}</span>
        {file.addinJobId && <span className="files__note muted">{t('files.addinOutput', { jobId: file.addinJobId })}</span>}
        {toggle && <span className="files__note">{toggle}</span>}
      </th>
      <td>{t('files.revision', { revision: file.revision })}</td>
      <td className="num">{formatBytes(Number(file.size), locale)}</td>
      <td>
        <code className="files__sha" title={file.sha256}>
          {shortSha(file.sha256)}…
        </code>{' '}
        <button
          type="button"
          className="button button--small button--quiet files__copy"
          aria-label={t('files.sha.copyLabel', { name: file.logicalName, revision: file.revision })}
          onClick={copySha}
        >
          {t('files.sha.copy')}
        </button>
      </td>
      <td>
        <ScanBadge status={file.scanStatus} />
        {quarantined && <p className="files__danger">{t('files.quarantined.warning')}</p>}
        {file.scanDetail && (quarantined || file.scanStatus === 'SCAN_FAILED') && (
          <p className="files__detail">{file.scanDetail}</p>
        )}
      </td>
      <td>{formatDateTime(file.uploadedAt, locale)}</td>
      <td>
        {file.downloadable && file.downloadUrl && !quarantined ? (
          <a className="button button--small" href={file.downloadUrl} download={file.logicalName}>
            {t('files.download')}
            <span className="visually-hidden"> {target}</span>
          </a>
        ) : (
          <span className="muted">{file.scanStatus === 'PENDING' ? t('files.notDownloadableYet') : t('files.notDownloadable')}</span>
        )}
      </td>
    </tr>
  );
}
