import { useEffect, useRef, useState } from 'react';
import { QueryError } from '@/components/QueryError';
import type { AddinJobFieldsFragment, AddinJobStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { usePagedConnection } from '@/lib/usePagedConnection';
import '../addin.css';
import { JobActions } from './JobActions';
import { ADDIN_JOB_EVENTS, AddinJobsPageQuery } from './jobDocuments';
import { OutputsTable } from './JobOutputs';
import { JobStatusBadge } from './JobStatusBadge';

export interface RoutingJobsTabProps {
  routingId: string;
  routingOwnerId: string;
}

type Job = AddinJobFieldsFragment;
const PAGE_SIZE = 20;

/** The workspace's Add-in tab: the routing's generation jobs, newest first, with live status. */
export function RoutingJobsTab({ routingId, routingOwnerId }: RoutingJobsTabProps) {
  const { t } = useI18n();
  const paged = usePagedConnection({
    query: AddinJobsPageQuery,
    variables: { routingId, status: null },
    select: (data) => data.addinJobs,
    pageSize: PAGE_SIZE,
    liveEvents: ADDIN_JOB_EVENTS,
    liveMatches: (event) =>
      (event.name === 'addin.job.created' || event.name === 'addin.job.updated') && event.payload.routingId === routingId,
  });
  const announcement = useStatusAnnouncement(paged.nodes);

  return (
    <section className="routing-jobs" aria-labelledby="routing-jobs-title">
      {paged.loaders}
      <h2 id="routing-jobs-title">{t('addin.tab.title')}</h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {paged.error && <QueryError error={paged.error} onRetry={paged.refetch} />}
      {!paged.loaded && !paged.error && <p role="status">{t('app.loading')}</p>}
      {paged.loaded && paged.nodes.length === 0 && !paged.error && <p className="hint">{t('addin.tab.empty')}</p>}
      {paged.nodes.length > 0 && (
        <ol className="routing-jobs__list">
          {paged.nodes.map((job) => (
            <li key={job.id}>
              <JobCard job={job} ownerId={routingOwnerId} onChanged={paged.refetch} />
            </li>
          ))}
        </ol>
      )}
      {(paged.hasMore || paged.loadingMore) && (
        <button type="button" className="button addin-more" onClick={paged.loadMore} disabled={paged.loadingMore}>
          {paged.loadingMore ? t('addin.loadingMore') : t('addin.tab.more')}
        </button>
      )}
    </section>
  );
}

/** Says "Job 12: Completed" to screen readers when a shown job changes state. */
function useStatusAnnouncement(jobs: readonly Job[]): string {
  const { t } = useI18n();
  const seen = useRef<Map<string, AddinJobStatus> | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    const previous = seen.current;
    const next = new Map(jobs.map((job) => [job.id, job.status] as const));
    seen.current = next;
    if (previous === null || jobs.length === 0) return;
    const changed = jobs.find((job) => previous.has(job.id) && previous.get(job.id) !== job.status) ??
      jobs.find((job) => !previous.has(job.id));
    if (changed) setText(t('addin.announce', { id: changed.id, status: t(`addin.status.${changed.status}`) }));
  }, [jobs, t]);
  return text;
}

function When({ iso }: { iso: string | null | undefined }) {
  const { locale } = useI18n();
  if (!iso) return null;
  return <time dateTime={iso}>{formatDateTime(iso, locale)}</time>;
}

function JobCard({ job, ownerId, onChanged }: { job: Job; ownerId: string; onChanged(): void }) {
  const { t, locale } = useI18n();
  const titleId = `routing-job-${job.id}`;
  const percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(job.progress);
  const actionable = { ...job, routing: { ...job.routing, owner: { id: job.routing.owner.id || ownerId } } };
  return (
    <article className="job-card" aria-labelledby={titleId} data-job-id={job.id} data-job-status={job.status}>
      <header className="job-card__header">
        <h3 id={titleId} className="job-card__title">
          {t('addin.job.number', { id: job.id })}
        </h3>
        <JobStatusBadge status={job.status} />
        <JobActions job={actionable} onChanged={onChanged} />
      </header>
      {job.failureReason && (
        <p className="notice notice--error job-card__failure">
          {t('addin.detail.failure', { reason: t(`addin.failure.${job.failureReason}`) })}
        </p>
      )}
      <dl className="details job-card__details">
        <div>
          <dt>{t('addin.detail.attempt')}</dt>
          <dd>{t('addin.attempt.value', { attempt: job.attempt, max: job.maxAttempts })}</dd>
        </div>
        <div>
          <dt>{t('addin.detail.agent')}</dt>
          <dd>{job.agentId ?? <span className="muted">{t('addin.agent.none')}</span>}</dd>
        </div>
        <div>
          <dt>{t('addin.detail.progress')}</dt>
          <dd>
            <progress max={100} value={job.progress} aria-label={t('addin.progress.label', { id: job.id })} />{' '}
            <span aria-hidden="true">{t('addin.progress.value', { percent })}</span>
          </dd>
        </div>
        {job.status === 'RUNNING' && (
          <div>
            <dt>{t('addin.detail.lease')}</dt>
            <dd>
              <When iso={job.leaseExpiresAt} />
            </dd>
          </div>
        )}
        <div>
          <dt>{t('addin.detail.createdAt')}</dt>
          <dd>
            {t('addin.detail.createdByValue', { actor: job.createdBy })} <When iso={job.createdAt} />
          </dd>
        </div>
        {job.claimedAt && (
          <div>
            <dt>{t('addin.detail.claimedAt')}</dt>
            <dd>
              <When iso={job.claimedAt} />
            </dd>
          </div>
        )}
        <div>
          <dt>{t('addin.detail.updatedAt')}</dt>
          <dd>
            <When iso={job.updatedAt} />
          </dd>
        </div>
        {job.finishedAt && (
          <div>
            <dt>{t('addin.detail.finishedAt')}</dt>
            <dd>
              <When iso={job.finishedAt} />
            </dd>
          </div>
        )}
        {job.retryOfId && (
          <div>
            <dt>{t('addin.detail.retryOf')}</dt>
            <dd>{t('addin.job.number', { id: job.retryOfId })}</dd>
          </div>
        )}
        {job.message && (
          <div className="details__wide">
            <dt>{t('addin.detail.message')}</dt>
            <dd className="prewrap">{job.message}</dd>
          </div>
        )}
      </dl>
      <div className="job-card__parts">
        <div className="job-card__part">
          <h4 id={`${titleId}-params`}>{t('addin.params.title')}</h4>
          {job.parameters.length === 0 ? (
            <p className="muted">{t('addin.params.none')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table job-params">
                <caption className="visually-hidden">{t('addin.params.caption', { id: job.id })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('addin.params.key')}</th>
                    <th scope="col">{t('addin.params.value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {job.parameters.map((parameter) => (
                    <tr key={parameter.key}>
                      <th scope="row">
                        <code>{parameter.key}</code>
                      </th>
                      <td className="prewrap">{parameter.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div className="job-card__part">
          <h4 id={`${titleId}-outputs`}>{t('addin.outputs.title')}</h4>
          <OutputsTable jobId={job.id} outputs={job.outputs} code={job.routing.code} />
        </div>
      </div>
    </article>
  );
}
