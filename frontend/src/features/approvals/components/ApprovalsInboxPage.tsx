import { useState } from 'react';
import { Link } from 'react-router';
import { QueryError } from '@/components/QueryError';
import { useSignedInUser } from '@/features/auth/components/SessionProvider';
import { graphql } from '@/gql';
import type { ApprovalsInboxQuery as InboxData } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { can, canDecideRouting } from '@/lib/permissions';
import { usePagedConnection } from '@/lib/usePagedConnection';
import '../approvals.css';
import { DecisionDialog, type Decision } from './DecisionDialog';

export const ApprovalsInboxQuery = graphql(`
  query ApprovalsInbox($first: Int!, $after: String) {
    routings(status: PENDING_APPROVAL, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          code
          title
          status
          version
          submittedAt
          updatedAt
          owner {
            id
            username
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
        }
      }
    }
  }
`);

type InboxRouting = InboxData['routings']['edges'][number]['node'];

const PAGE_SIZE = 25;

/** `/approvals`: the routings waiting for a decision, newest first, kept live. */
export function ApprovalsInboxPage() {
  const { t } = useI18n();
  const user = useSignedInUser();
  const allowed = can(user, 'approveRouting');
  return (
    <section className="page approvals" aria-labelledby="approvals-title">
      <title>{`${t('approvals.title')} · ${t('app.name')}`}</title>
      <h1 id="approvals-title">{t('approvals.title')}</h1>
      {allowed ? (
        <Inbox />
      ) : (
        <div className="notice approvals__not-for-role">
          <p>{t('approvals.notForRole', { role: t(`role.${user.role}`) })}</p>
          <p>
            <Link to="/">{t('approvals.notForRole.back')}</Link>
          </p>
        </div>
      )}
    </section>
  );
}

function Inbox() {
  const { t, locale } = useI18n();
  const user = useSignedInUser();
  const [deciding, setDeciding] = useState<{ decision: Decision; routing: InboxRouting } | null>(null);
  const paged = usePagedConnection({
    query: ApprovalsInboxQuery,
    variables: {},
    select: (data) => data.routings,
    pageSize: PAGE_SIZE,
    liveEvents: ['routing.approval.changed'],
  });
  const routings = paged.nodes.filter((routing) => routing.status === 'PENDING_APPROVAL');
  const count = paged.totalCount ?? routings.length;

  return (
    <>
      {paged.loaders}
      <p className="hint">{t('approvals.intro')}</p>
      {paged.error && <QueryError error={paged.error} onRetry={paged.refetch} />}
      <p role="status" className="approvals__count">
        {!paged.loaded
          ? paged.error
            ? ''
            : t('app.loading')
          : count === 0
            ? t('approvals.empty')
            : t(count === 1 ? 'approvals.count.one' : 'approvals.count.other', { count })}
      </p>
      {routings.length > 0 && (
        <div className="table-wrap">
          <table className="table approvals-table">
            <caption className="visually-hidden">{t('approvals.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('approvals.col.routing')}</th>
                <th scope="col">{t('approvals.col.title')}</th>
                <th scope="col">{t('approvals.col.item')}</th>
                <th scope="col">{t('approvals.col.owner')}</th>
                <th scope="col">{t('approvals.col.submitted')}</th>
                <th scope="col">{t('approvals.col.decision')}</th>
              </tr>
            </thead>
            <tbody>
              {routings.map((routing) => {
                const own = routing.owner.id === user.id;
                const decidable = canDecideRouting(user, routing);
                return (
                  <tr
                    key={routing.id}
                    className={own ? 'approvals-row approvals-row--own' : 'approvals-row'}
                    data-routing-id={routing.id}
                    data-own={own ? 'true' : undefined}
                  >
                    <th scope="row">
                      <Link
                        className="approvals-row__link"
                        to={`/routings/${routing.id}/approval`}
                        aria-label={`${t('approvals.review')} ${routing.code}`}
                      >
                        {routing.code}
                      </Link>
                    </th>
                    <td>{routing.title}</td>
                    <td>
                      {t('approvals.itemRevision', { item: routing.revision.item.itemCode, revision: routing.revision.code })}
                      <span className="muted approvals-row__item-name"> {routing.revision.item.name}</span>
                    </td>
                    <td>
                      {routing.owner.displayName}
                      {own && <span className="muted"> {t('approvals.you')}</span>}
                    </td>
                    <td>
                      {routing.submittedAt ? (
                        <time dateTime={routing.submittedAt}>{formatDateTime(routing.submittedAt, locale)}</time>
                      ) : (
                        <span className="muted">{t('approvals.notRecorded')}</span>
                      )}
                    </td>
                    <td>
                      {own ? (
                        <span className="badge badge--pending approvals-row__own">{t('approvals.own')}</span>
                      ) : decidable ? (
                        <div className="approvals-row__actions">
                          <button
                            type="button"
                            className="button approvals-row__button"
                            onClick={() => setDeciding({ decision: 'approve', routing })}
                          >
                            {t('approvals.approve')}
                            <span className="visually-hidden"> {routing.code}</span>
                          </button>
                          <button
                            type="button"
                            className="button approvals-row__button"
                            onClick={() => setDeciding({ decision: 'reject', routing })}
                          >
                            {t('approvals.reject')}
                            <span className="visually-hidden"> {routing.code}</span>
                          </button>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(paged.hasMore || paged.loadingMore) && (
        <button type="button" className="button approvals__more" onClick={paged.loadMore} disabled={paged.loadingMore}>
          {paged.loadingMore ? t('approvals.loadingMore') : t('approvals.loadMore')}
        </button>
      )}
      {deciding && (
        <DecisionDialog
          decision={deciding.decision}
          routing={deciding.routing}
          onDone={(changed) => {
            setDeciding(null);
            if (changed) paged.refetch();
          }}
        />
      )}
    </>
  );
}
