import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryError } from '@/components/QueryError';
import { StatusBadge } from '@/components/StatusBadge';
import { graphql } from '@/gql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { errorCode } from '@/lib/graphql-client';
import { HistoryTimeline } from './HistoryTimeline';
import { StepsTable } from './StepsTable';

export const RoutingPageQuery = graphql(`
  query RoutingPage($id: ID!) {
    routing(id: $id) {
      id
      code
      title
      description
      status
      version
      updatedAt
      owner {
        id
        username
        displayName
      }
      approvedBy {
        id
        displayName
      }
      revision {
        id
        code
        item {
          id
          itemCode
          name
        }
      }
      ...RoutingSteps
      ...RoutingHistory
    }
  }
`);

/** `/routings/:id`: the routing's details, steps and history (read-only in this slice). */
export function RoutingPage() {
  const { t, locale } = useI18n();
  const { id = '' } = useParams();
  const [{ data, error }, reexecute] = useQuery({ query: RoutingPageQuery, variables: { id } });
  const routing = data?.routing;

  const back = (
    <nav aria-label={t('routing.breadcrumb')} className="breadcrumb">
      <Link to="/">{t('routing.back')}</Link>
    </nav>
  );

  if (error && !routing) {
    const code = errorCode(error);
    return (
      <section className="routing">
        {back}
        {code === 'NOT_FOUND' || code === 'INVALID_ARGUMENT' ? (
          <p className="notice notice--error" role="alert">
            {t('routing.notFound')}
          </p>
        ) : (
          <QueryError error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        )}
      </section>
    );
  }
  if (!data) {
    return (
      <section className="routing">
        {back}
        <p role="status">{t('app.loading')}</p>
      </section>
    );
  }
  if (!routing) {
    return (
      <section className="routing">
        {back}
        <p className="notice notice--error" role="alert">
          {t('routing.notFound')}
        </p>
      </section>
    );
  }

  const item = routing.revision.item;
  return (
    <article className="routing" aria-labelledby="routing-title">
      <title>{`${routing.code} · ${t('app.name')}`}</title>
      {back}
      <header className="routing__header">
        <h1 id="routing-title">
          <span className="routing__code">{routing.code}</span> {routing.title}
        </h1>
        <StatusBadge status={routing.status} />
      </header>
      <p className="hint">{t('routing.readOnly')}</p>

      <section aria-labelledby="routing-details" className="panel">
        <h2 id="routing-details">{t('routing.details')}</h2>
        <dl className="details">
          <div>
            <dt>{t('routing.code')}</dt>
            <dd>{routing.code}</dd>
          </div>
          <div>
            <dt>{t('routing.name')}</dt>
            <dd>{routing.title}</dd>
          </div>
          <div>
            <dt>{t('routing.status')}</dt>
            <dd>
              <StatusBadge status={routing.status} />
            </dd>
          </div>
          <div>
            <dt>{t('routing.version')}</dt>
            <dd>{routing.version}</dd>
          </div>
          <div>
            <dt>{t('routing.owner')}</dt>
            <dd>
              {routing.owner.displayName} <span className="muted">({routing.owner.username})</span>
            </dd>
          </div>
          <div>
            <dt>{t('routing.itemRevision')}</dt>
            <dd>
              {item.itemCode} {item.name} / {routing.revision.code}
            </dd>
          </div>
          <div>
            <dt>{t('routing.updatedAt')}</dt>
            <dd>
              <time dateTime={routing.updatedAt}>{formatDateTime(routing.updatedAt, locale)}</time>
            </dd>
          </div>
          {routing.approvedBy && (
            <div>
              <dt>{t('routing.approvedBy')}</dt>
              <dd>{routing.approvedBy.displayName}</dd>
            </div>
          )}
          {routing.description && (
            <div className="details__wide">
              <dt>{t('routing.description')}</dt>
              <dd className="prewrap">{routing.description}</dd>
            </div>
          )}
        </dl>
      </section>

      <section aria-labelledby="routing-steps" className="panel">
        <h2 id="routing-steps">{t('steps.title')}</h2>
        <StepsTable routing={routing} />
      </section>

      <section aria-labelledby="routing-history" className="panel">
        <h2 id="routing-history">{t('history.title')}</h2>
        <HistoryTimeline routing={routing} />
      </section>
    </article>
  );
}
