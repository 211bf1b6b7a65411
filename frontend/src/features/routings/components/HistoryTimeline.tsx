import { useEffect, useId, useRef, useState } from 'react';
import { QueryError } from '@/components/QueryError';
import { isMessageKey, useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { dataText, type RoutingHistory } from './useRoutingHistory';

/** Entries shown at first, and added by each "Show older entries". */
export const HISTORY_PAGE = 20;

/** The append-only history, newest first, paged on screen; live (the workspace refreshes it). */
export function HistoryTimeline({ history }: { history: RoutingHistory }) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const [shown, setShown] = useState(HISTORY_PAGE);
  const focusIndex = useRef<number | null>(null);
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (focusIndex.current === null) return;
    const item = listRef.current?.children[focusIndex.current];
    focusIndex.current = null;
    if (item instanceof HTMLElement) item.focus();
  }, [shown]);

  const newestFirst = [...history.entries].reverse();
  const visible = newestFirst.slice(0, shown);
  const total = Math.max(history.totalCount, newestFirst.length);

  function showOlder() {
    focusIndex.current = visible.length;
    setShown((count) => count + HISTORY_PAGE);
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('history.title')}</h2>
      {history.error && <QueryError error={history.error} onRetry={history.refresh} />}
      {history.loading ? (
        <p role="status">{t('history.loading')}</p>
      ) : visible.length === 0 ? (
        <p className="empty">{t('history.empty')}</p>
      ) : (
        <>
          <ol className="timeline" aria-label={t('history.listLabel')} ref={listRef}>
            {visible.map((entry) => {
              const key = `history.${entry.type}`;
              const reason = dataText(entry.data, 'reason');
              const comment = dataText(entry.data, 'comment');
              const error = dataText(entry.data, 'error');
              const version = dataText(entry.data, 'version');
              const jobId = dataText(entry.data, 'jobId');
              const meta = [
                version && t('history.version', { version }),
                jobId && t('history.job', { jobId }),
              ].filter(Boolean);
              return (
                <li
                  key={entry.id}
                  className={`timeline__entry timeline__entry--${entry.type.toLowerCase()}`}
                  data-history-type={entry.type}
                  tabIndex={-1}
                >
                  <p className="timeline__head">
                    <strong>{isMessageKey(key) ? t(key) : entry.type}</strong>{' '}
                    <span className="timeline__actor">{t('history.by', { actor: entry.actor })}</span>{' '}
                    <time className="timeline__time" dateTime={entry.at}>
                      {formatDateTime(entry.at, locale)}
                    </time>
                  </p>
                  {entry.message && entry.message !== reason && (
                    <p className="timeline__message prewrap">{entry.message}</p>
                  )}
                  {reason && (
                    <p className="timeline__detail prewrap">
                      <strong>{t('history.reason')}</strong> {reason}
                    </p>
                  )}
                  {comment && comment !== entry.message && (
                    <p className="timeline__detail prewrap">
                      <strong>{t('history.comment')}</strong> {comment}
                    </p>
                  )}
                  {error && error !== entry.message && (
                    <p className="timeline__detail prewrap">
                      <strong>{t('history.error')}</strong> {error}
                    </p>
                  )}
                  {meta.length > 0 && <p className="timeline__meta">{meta.join(' · ')}</p>}
                </li>
              );
            })}
          </ol>
          {visible.length < total && (
            <div className="timeline__more">
              <p className="hint">{t('history.remaining', { shown: visible.length, count: total })}</p>
              {visible.length < newestFirst.length && (
                <button type="button" className="button" onClick={showOlder}>
                  {t('history.showOlder')}
                </button>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
