// The routing's meta.json (what the add-in reads before it generates), from
// GET /api/routings/{id}/files, behind a disclosure button; loaded when opened.
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useToasts } from '@/components/Toasts';
import { useI18n } from '@/i18n';
import { fetchRoutingFiles } from '../api/routingFiles';

type MetaState =
  | { status: 'idle' }
  | { status: 'loading'; previous: string | null }
  | { status: 'ready'; text: string }
  | { status: 'error'; message: string; previous: string | null };

export function MetaJsonPreview({ routingId, refreshKey }: { routingId: string; refreshKey: number }) {
  const { t } = useI18n();
  const { push } = useToasts();
  const headingId = useId();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<MetaState>({ status: 'idle' });

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    setState((current) => ({ status: 'loading', previous: current.status === 'ready' ? current.text : null }));
    fetchRoutingFiles(routingId, controller.signal)
      .then((document) => setState({ status: 'ready', text: JSON.stringify(document.meta, null, 2) }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState((current) => ({
          status: 'error',
          message: error instanceof Error ? error.message : String(error),
          previous: current.status === 'loading' ? current.previous : null,
        }));
      });
    return () => controller.abort();
  }, [open, routingId, refreshKey, attempt]);

  const text = state.status === 'ready' ? state.text : state.status === 'idle' ? null : state.previous;
  const downloadUrl = useMemo(
    () => (text === null || typeof URL.createObjectURL !== 'function' ? null : URL.createObjectURL(new Blob([text], { type: 'application/json' }))),
    [text],
  );
  useEffect(() => () => {
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  }, [downloadUrl]);

  const copy = useCallback(async () => {
    if (text === null) return;
    try {
      await navigator.clipboard.writeText(text);
      push({ severity: 'SUCCESS', title: t('files.copied') });
    } catch {
      push({ severity: 'WARNING', title: t('files.copyFailed') });
    }
  }, [push, t, text]);

  return (
    <section className="files__meta" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('files.meta.heading')}</h3>
      <p className="hint">{t('files.meta.hint')}</p>
      <button
        type="button"
        className="button files__meta-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden="true" className="files__chevron">
          ▸
        </span>{' '}
        {t('files.meta.show')}
      </button>
      <div id={panelId} hidden={!open} className="files__meta-panel">
        {open && state.status === 'loading' && state.previous === null && (
          <p role="status" className="muted">
            {t('files.meta.loading')}
          </p>
        )}
        {open && state.status === 'error' && (
          <div className="notice notice--error" role="alert">
            <p>{t('files.meta.error', { message: state.message })}</p>
            <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
              {t('files.meta.reload')}
            </button>
          </div>
        )}
        {open && text !== null && (
          <>
            <div className="files__meta-actions">
              {downloadUrl && (
                <a className="button button--small" href={downloadUrl} download="meta.json">
                  {t('files.meta.download')}
                </a>
              )}
              <button type="button" className="button button--small" onClick={() => void copy()}>
                {t('files.meta.copy')}
              </button>
              <button type="button" className="button button--small button--quiet" onClick={() => setAttempt((n) => n + 1)}>
                {t('files.meta.reload')}
              </button>
            </div>
            <pre className="files__meta-json" role="region" tabIndex={0} aria-label={t('files.meta.content')}>
              {text}
            </pre>
          </>
        )}
      </div>
    </section>
  );
}
