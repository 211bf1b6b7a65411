import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql';
import type { AddinJobStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { useLiveRefresh } from '@/lib/live/LiveProvider';
import { fetchDashboard, type DashboardFigures } from '../api/dashboard';
import { formatDuration } from '../lib/format';
import { ADDIN_JOB_EVENTS } from './jobDocuments';

/** When the REST figures cannot be had: the counts GraphQL can give. */
export const AddinJobCountsQuery = graphql(`
  query AddinJobCounts {
    queued: addinJobs(status: QUEUED, first: 0) {
      totalCount
    }
    running: addinJobs(status: RUNNING, first: 0) {
      totalCount
    }
    completed: addinJobs(status: COMPLETED, first: 0) {
      totalCount
    }
    failed: addinJobs(status: FAILED, first: 0) {
      totalCount
    }
    cancelled: addinJobs(status: CANCELLED, first: 0) {
      totalCount
    }
  }
`);

const STATUSES: readonly AddinJobStatus[] = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
/** Live events arrive with every heartbeat: reload the figures at most this often. */
const MIN_INTERVAL_MS = 2000;

type State =
  | { status: 'loading' }
  | { status: 'ready'; figures: DashboardFigures }
  | { status: 'failed'; reason: string };

/** The KPI figures of `GET /api/metrics/dashboard`, kept fresh by the live job events. */
export function KeyFigures() {
  const { t, locale } = useI18n();
  const [state, setState] = useState<State>({ status: 'loading' });
  const lastLoad = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const controller = useRef<AbortController | null>(null);

  const load = useCallback(() => {
    lastLoad.current = Date.now();
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    fetchDashboard(current.signal).then(
      (figures) => {
        if (!current.signal.aborted) setState({ status: 'ready', figures });
      },
      (error: unknown) => {
        if (current.signal.aborted) return;
        setState((previous) =>
          // Keep showing good figures through a passing failure.
          previous.status === 'ready' ? previous : { status: 'failed', reason: error instanceof Error ? error.message : String(error) },
        );
      },
    );
  }, []);

  const throttledLoad = useCallback(() => {
    const wait = lastLoad.current + MIN_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      load();
      return;
    }
    if (trailing.current !== null) return;
    trailing.current = setTimeout(() => {
      trailing.current = null;
      load();
    }, wait);
  }, [load]);

  useEffect(() => {
    load();
    return () => {
      controller.current?.abort();
      if (trailing.current !== null) clearTimeout(trailing.current);
    };
  }, [load]);

  useLiveRefresh([...ADDIN_JOB_EVENTS, 'routing.approval.changed'], throttledLoad);

  const failed = state.status === 'failed';
  const [counts, reexecuteCounts] = useQuery({ query: AddinJobCountsQuery, pause: !failed });
  useLiveRefresh(ADDIN_JOB_EVENTS, () => {
    if (failed) reexecuteCounts({ requestPolicy: 'network-only' });
  });

  let byStatus: Partial<Record<AddinJobStatus, number>> | null = null;
  let figures: DashboardFigures | null = null;
  if (state.status === 'ready') {
    figures = state.figures;
    byStatus = figures.jobsByStatus;
  } else if (counts.data) {
    const d = counts.data;
    byStatus = {
      QUEUED: d.queued.totalCount,
      RUNNING: d.running.totalCount,
      COMPLETED: d.completed.totalCount,
      FAILED: d.failed.totalCount,
      CANCELLED: d.cancelled.totalCount,
    };
  }
  const number = (n: number | undefined) => (n === undefined ? '' : new Intl.NumberFormat(locale).format(n));
  const lead = figures?.approvalLeadTime;
  const duration = (seconds: number | undefined) => (seconds === undefined ? '' : formatDuration(seconds, locale, t));

  return (
    <section className="panel addin-kpis" aria-labelledby="addin-kpis-title">
      <h2 id="addin-kpis-title">{t('addin.kpi.title')}</h2>
      {state.status === 'loading' && <p role="status">{t('app.loading')}</p>}
      {failed && (
        <p className="notice" role="status">
          {t('addin.kpi.unavailable', { reason: state.reason })}
        </p>
      )}
      {byStatus && (
        <dl className="details addin-kpis__list">
          <div>
            <dt>{t('addin.kpi.queueDepth')}</dt>
            <dd className="addin-kpis__figure" data-kpi="queueDepth">
              {number(figures ? figures.queueDepth : byStatus.QUEUED)}
            </dd>
          </div>
          <div>
            <dt>{t('addin.kpi.running')}</dt>
            <dd className="addin-kpis__figure" data-kpi="runningJobs">
              {number(figures ? figures.runningJobs : byStatus.RUNNING)}
            </dd>
          </div>
          {figures && (
            <div>
              <dt>{t('addin.kpi.oldestQueued')}</dt>
              <dd className="addin-kpis__figure" data-kpi="oldestQueued">
                {figures.oldestQueuedSeconds === null ? t('addin.kpi.noneQueued') : duration(figures.oldestQueuedSeconds)}
              </dd>
            </div>
          )}
          <div className="details__wide">
            <dt>{t('addin.kpi.byStatus')}</dt>
            <dd>
              <ul className="addin-kpis__statuses">
                {STATUSES.map((status) => (
                  <li key={status} data-kpi-status={status}>
                    {t('addin.kpi.statusCount', { status: t(`addin.status.${status}`), count: number(byStatus[status] ?? 0) })}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
          <div className="details__wide">
            <dt>{t('addin.kpi.leadTime', { days: lead?.windowDays ?? 30 })}</dt>
            <dd data-kpi="approvalLeadTime">
              {!lead
                ? t('addin.kpi.leadTimeUnavailable')
                : lead.count === 0 || lead.medianSeconds === undefined
                  ? t('addin.kpi.leadTimeNone')
                  : t('addin.kpi.leadTimeValue', {
                      median: duration(lead.medianSeconds),
                      average: duration(lead.averageSeconds),
                      p95: duration(lead.p95Seconds),
                      count: number(lead.count),
                    })}
            </dd>
          </div>
        </dl>
      )}
      {figures?.generatedAt && (
        <p className="hint addin-kpis__asof">
          {t('addin.kpi.asOf', { time: formatDateTime(figures.generatedAt, locale) })}
        </p>
      )}
    </section>
  );
}
