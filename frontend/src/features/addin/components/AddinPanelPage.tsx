import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { QueryError } from '@/components/QueryError';
import type { AddinJobFieldsFragment, AddinJobStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { usePagedConnection, type Paged } from '@/lib/usePagedConnection';
import { useNow } from '../hooks/useNow';
import { formatDuration, secondsSince } from '../lib/format';
import '../addin.css';
import { JobActions } from './JobActions';
import { ADDIN_JOB_EVENTS, AddinJobsPageQuery, FINISHED_STATUSES } from './jobDocuments';
import { OutputList } from './JobOutputs';
import { JobStatusBadge } from './JobStatusBadge';
import { KeyFigures } from './KeyFigures';

type Job = AddinJobFieldsFragment;

const QUEUE_PAGE = 50;
const RESULTS_PAGE = 25;
const FILTERS: readonly AddinJobStatus[] = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const FINISHED: ReadonlySet<AddinJobStatus> = new Set(FINISHED_STATUSES);

function parseFilter(value: string | null): AddinJobStatus | null {
  return FILTERS.find((status) => status === value) ?? null;
}

/** `/addin`: key figures, the live queue and recent results, with retry and cancel for those who may. */
export function AddinPanelPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const filter = parseFilter(params.get('status'));
  const filterId = useId();
  const showQueue = filter === null || filter === 'QUEUED' || filter === 'RUNNING';
  const showResults = filter === null || FINISHED.has(filter);

  function onFilter(value: string) {
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set('status', value);
        else next.delete('status');
        return next;
      },
      { replace: true },
    );
  }

  return (
    <section className="page addin-panel" aria-labelledby="addin-panel-title">
      <title>{`${t('addin.panel.title')} · ${t('app.name')}`}</title>
      <h1 id="addin-panel-title">{t('addin.panel.title')}</h1>
      <p className="hint">{t('addin.panel.intro')}</p>
      <KeyFigures />
      <form className="toolbar addin-panel__toolbar" onSubmit={(event) => event.preventDefault()}>
        <div className="field field--inline">
          <label className="field__label" htmlFor={filterId}>
            {t('addin.filter.label')}
          </label>
          <select id={filterId} className="field__input" value={filter ?? ''} onChange={(event) => onFilter(event.target.value)}>
            <option value="">{t('addin.filter.all')}</option>
            {FILTERS.map((status) => (
              <option key={status} value={status}>
                {t(`addin.status.${status}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {showQueue && <QueueSection key={`queue:${filter ?? ''}`} only={filter} />}
      {showResults && <ResultsSection key={`results:${filter ?? ''}`} status={filter} />}
    </section>
  );
}

function useJobs(status: AddinJobStatus | null, pageSize: number, enabled = true): Paged<Job> {
  return usePagedConnection({
    query: AddinJobsPageQuery,
    variables: { routingId: null, status },
    select: (data) => data.addinJobs,
    pageSize,
    liveEvents: ADDIN_JOB_EVENTS,
    enabled,
  });
}

function LoadMore({ paged, label }: { paged: Paged<Job>; label: string }) {
  const { t } = useI18n();
  if (!paged.hasMore && !paged.loadingMore) return null;
  return (
    <button type="button" className="button addin-more" onClick={paged.loadMore} disabled={paged.loadingMore}>
      {paged.loadingMore ? t('addin.loadingMore') : label}
    </button>
  );
}

function RoutingLink({ job }: { job: Job }) {
  return (
    <>
      <Link className="addin-routing" to={`/routings/${job.routing.id}/addin`}>
        {job.routing.code}
      </Link>
      <span className="muted addin-routing__title"> {job.routing.title}</span>
    </>
  );
}

function Progress({ job }: { job: Job }) {
  const { t, locale } = useI18n();
  const percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(job.progress);
  return (
    <span className="addin-progress">
      <progress max={100} value={job.progress} aria-label={t('addin.progress.label', { id: job.id })} />{' '}
      <span aria-hidden="true">{t('addin.progress.value', { percent })}</span>
    </span>
  );
}

/** QUEUED and RUNNING jobs: running first, then the queue. */
function QueueSection({ only }: { only: AddinJobStatus | null }) {
  const { t, locale } = useI18n();
  const now = useNow(10_000);
  const running = useJobs('RUNNING', QUEUE_PAGE, only === null || only === 'RUNNING');
  const queued = useJobs('QUEUED', QUEUE_PAGE, only === null || only === 'QUEUED');
  const lists = [running, queued].filter((paged) => paged.loaders !== null);
  const jobs = lists.flatMap((paged) => paged.nodes);
  const loaded = lists.every((paged) => paged.loaded);
  const error = lists.find((paged) => paged.error)?.error ?? null;
  const refetch = () => lists.forEach((paged) => paged.refetch());

  return (
    <section className="panel addin-section" aria-labelledby="addin-queue-title">
      {running.loaders}
      {queued.loaders}
      <h2 id="addin-queue-title">{t('addin.queue.title')}</h2>
      {error && <QueryError error={error} onRetry={refetch} />}
      {!loaded && !error && <p role="status">{t('app.loading')}</p>}
      {loaded && jobs.length === 0 && !error && <p className="hint">{t('addin.queue.empty')}</p>}
      {jobs.length > 0 && (
        <div className="table-wrap">
          <table className="table addin-table" data-testid="addin-queue">
            <caption className="visually-hidden">{t('addin.queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('addin.col.job')}</th>
                <th scope="col">{t('addin.col.routing')}</th>
                <th scope="col">{t('addin.col.status')}</th>
                <th scope="col">{t('addin.col.attempt')}</th>
                <th scope="col">{t('addin.col.agent')}</th>
                <th scope="col">{t('addin.col.lease')}</th>
                <th scope="col">{t('addin.col.progress')}</th>
                <th scope="col">{t('addin.col.message')}</th>
                <th scope="col">{t('addin.col.age')}</th>
                <th scope="col">{t('addin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => {
                const age = secondsSince(job.createdAt, now);
                return (
                  <tr key={job.id} data-job-id={job.id} data-job-status={job.status}>
                    <th scope="row">{t('addin.job.number', { id: job.id })}</th>
                    <td>
                      <RoutingLink job={job} />
                    </td>
                    <td>
                      <JobStatusBadge status={job.status} />
                    </td>
                    <td>{t('addin.attempt.value', { attempt: job.attempt, max: job.maxAttempts })}</td>
                    <td>{job.agentId ?? <span className="muted">{t('addin.agent.none')}</span>}</td>
                    <td>
                      {job.leaseExpiresAt ? (
                        <time dateTime={job.leaseExpiresAt}>{formatDateTime(job.leaseExpiresAt, locale)}</time>
                      ) : (
                        <span className="muted">{t('addin.lease.none')}</span>
                      )}
                    </td>
                    <td>
                      <Progress job={job} />
                    </td>
                    <td className="prewrap">{job.message}</td>
                    <td>
                      {age !== null && (
                        <time dateTime={job.createdAt} title={formatDateTime(job.createdAt, locale)}>
                          {formatDuration(age, locale, t)}
                        </time>
                      )}
                    </td>
                    <td>
                      <JobActions job={job} onChanged={refetch} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore paged={running} label={t('addin.queue.moreRunning')} />
      <LoadMore paged={queued} label={t('addin.queue.moreQueued')} />
    </section>
  );
}

/** Finished jobs, newest first: one status, or all three. */
function ResultsSection({ status }: { status: AddinJobStatus | null }) {
  const { t, locale } = useI18n();
  const paged = useJobs(status, RESULTS_PAGE);
  // Without a status filter the list holds every job; the active ones are in the queue above.
  const jobs = paged.nodes.filter((job) => FINISHED.has(job.status));

  return (
    <section className="panel addin-section" aria-labelledby="addin-results-title">
      {paged.loaders}
      <h2 id="addin-results-title">{t('addin.results.title')}</h2>
      {paged.error && <QueryError error={paged.error} onRetry={paged.refetch} />}
      {!paged.loaded && !paged.error && <p role="status">{t('app.loading')}</p>}
      {paged.loaded && jobs.length === 0 && !paged.error && <p className="hint">{t('addin.results.empty')}</p>}
      {jobs.length > 0 && (
        <div className="table-wrap">
          <table className="table addin-table" data-testid="addin-results">
            <caption className="visually-hidden">{t('addin.results.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('addin.col.job')}</th>
                <th scope="col">{t('addin.col.routing')}</th>
                <th scope="col">{t('addin.col.status')}</th>
                <th scope="col">{t('addin.col.finished')}</th>
                <th scope="col">{t('addin.col.outcome')}</th>
                <th scope="col">{t('addin.col.outputs')}</th>
                <th scope="col">{t('addin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-job-id={job.id} data-job-status={job.status}>
                  <th scope="row">{t('addin.job.number', { id: job.id })}</th>
                  <td>
                    <RoutingLink job={job} />
                  </td>
                  <td>
                    <JobStatusBadge status={job.status} />
                  </td>
                  <td>
                    {job.finishedAt && <time dateTime={job.finishedAt}>{formatDateTime(job.finishedAt, locale)}</time>}
                  </td>
                  <td>
                    {job.failureReason && (
                      <strong className="addin-failure">{t(`addin.failure.${job.failureReason}`)}</strong>
                    )}
                    {job.failureReason && job.message && <br />}
                    {job.message && <span className="prewrap">{job.message}</span>}
                  </td>
                  <td>
                    <OutputList outputs={job.outputs} code={job.routing.code} />
                  </td>
                  <td>
                    <JobActions job={job} onChanged={paged.refetch} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore paged={paged} label={t('addin.results.more')} />
    </section>
  );
}
