// Choosing (or dropping) files and following their uploads: progress, pause,
// resume, cancel, retry. The uploads themselves live in an UploadStore.
import { useId, useState, type ChangeEvent, type DragEvent } from 'react';
import { useI18n, type Translate } from '@/i18n';
import type { CreateUpload } from '../api/uploader';
import { formatBytes } from '@/lib/format';
import { percentOf } from '../format';
import { FINAL_STATES, RETRYABLE_STATES, SENDING_STATES, type PollTiming, type UploadItem, type UploadStore } from '../uploads/uploadStore';
import { useUploads } from '../uploads/useUploads';

export interface UploadPanelProps {
  routingId: string;
  canUpload: boolean;
  blockedReason?: string | undefined;
  createUpload?: CreateUpload | undefined;
  pollTiming?: PollTiming | undefined;
  onSettled(): void;
}

export function UploadPanel({ routingId, canUpload, blockedReason, createUpload, pollTiming, onSettled }: UploadPanelProps) {
  const { t } = useI18n();
  const headingId = useId();
  const inputId = useId();
  const hintId = useId();
  const { store, items } = useUploads({ routingId, createUpload, pollTiming, onSettled });
  const [dragging, setDragging] = useState(false);

  const picked = (event: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(event.target.files ?? []);
    // Cleared, so picking the same file again (to resume it) fires again.
    event.target.value = '';
    if (files.length > 0) store.add(files);
  };

  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent<HTMLDivElement>) => {
    if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
    setDragging(false);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) store.add(files);
  };

  return (
    <section className="files__upload" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('files.upload.heading')}</h3>
      {canUpload ? (
        <div
          className={`files__dropzone${dragging ? ' files__dropzone--active' : ''}`}
          onDragOver={onDragOver}
          onDragEnter={onDragOver}
          onDragLeave={onDragLeave}
          onDrop={onDrop}
          data-dragging={dragging || undefined}
        >
          <label htmlFor={inputId} className="field__label">
            {t('files.upload.choose')}
          </label>
          <input id={inputId} type="file" multiple className="files__input" aria-describedby={hintId} onChange={picked} />
          <p id={hintId} className="hint">
            {dragging ? t('files.upload.dropActive') : t('files.upload.hint')}
          </p>
        </div>
      ) : (
        <div className="notice files__blocked">
          <p>
            <strong>{t('files.upload.notAllowed')}</strong>
          </p>
          <p>{blockedReason ?? t('files.upload.notAllowedWhy')}</p>
        </div>
      )}
      {items.length > 0 && (
        <ul className="files__uploads" aria-label={t('files.uploads.label')}>
          {items.map((item) => (
            <UploadRow key={item.key} item={item} store={store} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function uploadStatusText(item: UploadItem, t: Translate): string {
  switch (item.state) {
    case 'retrying':
      return t('files.upload.state.retrying', { attempt: item.retryAttempt });
    case 'failed':
      return t('files.upload.state.failed', { reason: item.failure ?? t('files.upload.unknownError') });
    case 'quarantined':
      return item.failure
        ? t('files.upload.state.quarantinedDetail', { detail: item.failure })
        : t('files.upload.state.quarantined');
    default:
      return t(`files.upload.state.${item.state}`);
  }
}

function UploadRow({ item, store }: { item: UploadItem; store: UploadStore }) {
  const { t, locale } = useI18n();
  const percent = percentOf(item.bytesSent, item.size);
  const values = {
    percent,
    sent: formatBytes(item.bytesSent, locale),
    total: formatBytes(item.size, locale),
  };
  const sending = SENDING_STATES.has(item.state) && item.state !== 'cancelling';
  const resumed = item.resumedFromPercent !== null && SENDING_STATES.has(item.state);
  const name = item.fileName;
  return (
    <li
      className={`files__upload-item files__upload-item--${item.state}`}
      data-upload-state={item.state}
      data-upload-name={name}
      data-upload-id={item.uploadId ?? undefined}
      data-resumed-from={item.resumedFromPercent ?? undefined}
    >
      <p className="files__upload-name">{name}</p>
      <div
        className="files__bar"
        role="progressbar"
        aria-label={t('files.upload.progressLabel', { name })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t('files.upload.progressValue', values)}
      >
        <div className="files__bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="files__progress-text">{t('files.upload.progressText', { name, ...values })}</p>
      <p className="files__upload-status" role="status">
        {uploadStatusText(item, t)}
        {resumed && <> {t('files.upload.resumingFrom', { percent: item.resumedFromPercent ?? 0 })}</>}
      </p>
      <div className="files__upload-actions">
        {(item.state === 'uploading' || item.state === 'retrying') && (
          <ActionButton label={t('files.upload.pause')} name={name} onClick={() => store.pause(item.key)} />
        )}
        {item.state === 'paused' && (
          <ActionButton label={t('files.upload.resume')} name={name} onClick={() => store.resume(item.key)} primary />
        )}
        {sending && <ActionButton label={t('files.upload.cancel')} name={name} onClick={() => void store.cancel(item.key)} />}
        {RETRYABLE_STATES.has(item.state) && (
          <ActionButton label={t('files.upload.retry')} name={name} onClick={() => store.retry(item.key)} primary />
        )}
        {FINAL_STATES.has(item.state) && (
          <ActionButton label={t('files.upload.dismiss')} name={name} onClick={() => store.dismiss(item.key)} quiet />
        )}
      </div>
    </li>
  );
}

function ActionButton({
  label,
  name,
  onClick,
  primary = false,
  quiet = false,
}: {
  label: string;
  name: string;
  onClick(): void;
  primary?: boolean;
  quiet?: boolean;
}) {
  const classes = ['button', 'button--small', primary ? 'button--primary' : '', quiet ? 'button--quiet' : ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} onClick={onClick}>
      {label}
      <span className="visually-hidden"> {name}</span>
    </button>
  );
}
