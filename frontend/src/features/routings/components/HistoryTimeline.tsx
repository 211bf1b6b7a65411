import { graphql } from '@/gql';
import type { RoutingHistoryFragment } from '@/gql/graphql';
import { isMessageKey, useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';

export const RoutingHistoryFragmentDoc = graphql(`
  fragment RoutingHistory on Routing {
    history(first: 200) {
      totalCount
      edges {
        node {
          id
          type
          actor
          at
          message
        }
      }
    }
  }
`);

/** The append-only history, oldest first. */
export function HistoryTimeline({ routing }: { routing: RoutingHistoryFragment }) {
  const { t, locale } = useI18n();
  const entries = routing.history.edges.map((edge) => edge.node);
  if (entries.length === 0) return <p className="empty">{t('history.empty')}</p>;
  const hidden = routing.history.totalCount - entries.length;

  return (
    <>
      <ol className="timeline">
        {entries.map((entry) => {
          const key = `history.${entry.type}`;
          return (
            <li key={entry.id} className={`timeline__entry timeline__entry--${entry.type.toLowerCase()}`}>
              <p className="timeline__head">
                <strong>{isMessageKey(key) ? t(key) : entry.type}</strong>{' '}
                <span className="timeline__actor">{t('history.by', { actor: entry.actor })}</span>{' '}
                <time className="timeline__time" dateTime={entry.at}>
                  {formatDateTime(entry.at, locale)}
                </time>
              </p>
              {entry.message && <p className="timeline__message">{entry.message}</p>}
            </li>
          );
        })}
      </ol>
      {hidden > 0 && <p className="empty">{t('history.more', { count: hidden })}</p>}
    </>
  );
}
