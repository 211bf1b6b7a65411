import { useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryError } from '@/components/QueryError';
import { graphql } from '@/gql';
import type { RoutingStatus } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { ExplorerItemNode, visibleRevisions } from './ExplorerTree';

export const ExplorerItemsQuery = graphql(`
  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {
    items(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          ...ExplorerItem
        }
      }
    }
  }
`);

export const ROUTING_STATUSES: readonly RoutingStatus[] = ['DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED'];
const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

function parseStatus(value: string | null): RoutingStatus | null {
  return ROUTING_STATUSES.find((status) => status === value) ?? null;
}

/** The Item → Revision → Routing tree, with a search box and a status filter kept in the URL. */
export function ExplorerPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const status = parseStatus(params.get('status'));
  const [draft, setDraft] = useState(search);
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const searchId = useId();
  const statusId = useId();

  // Typing updates the URL (and so the query) once the user pauses.
  useEffect(() => {
    if (draft === search) return;
    const timer = setTimeout(() => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (draft.trim()) next.set('q', draft.trim());
          else next.delete('q');
          return next;
        },
        { replace: true },
      );
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, search, setParams]);

  // A new search or filter starts again from the first page.
  useEffect(() => setPages([null]), [search, status]);

  function onStatusChange(value: string) {
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value) next.set('status', value);
      else next.delete('status');
      return next;
    });
  }

  return (
    <section className="explorer" aria-labelledby="explorer-title">
      <title>{`${t('explorer.title')} · ${t('app.name')}`}</title>
      <h1 id="explorer-title">{t('explorer.title')}</h1>
      <form className="toolbar" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field field--inline">
          <label className="field__label" htmlFor={searchId}>
            {t('explorer.search')}
          </label>
          <input
            id={searchId}
            className="field__input"
            type="search"
            placeholder={t('explorer.searchPlaceholder')}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
        </div>
        <div className="field field--inline">
          <label className="field__label" htmlFor={statusId}>
            {t('explorer.statusFilter')}
          </label>
          <select
            id={statusId}
            className="field__input"
            value={status ?? ''}
            onChange={(event) => onStatusChange(event.target.value)}
          >
            <option value="">{t('explorer.statusAll')}</option>
            {ROUTING_STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(`status.${value}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ul className="tree" aria-label={t('explorer.tree')}>
        {pages.map((after, index) => (
          <ItemsPage
            key={after ?? 'first'}
            search={search || null}
            status={status}
            after={after}
            isFirst={index === 0}
            isLast={index === pages.length - 1}
            onLoadMore={(cursor) => setPages((previous) => [...previous, cursor])}
          />
        ))}
      </ul>
    </section>
  );
}

interface ItemsPageProps {
  search: string | null;
  status: RoutingStatus | null;
  after: string | null;
  isFirst: boolean;
  isLast: boolean;
  onLoadMore(cursor: string): void;
}

/** One page of items (urql's recommended pattern: one query per page, pages appended). */
function ItemsPage({ search, status, after, isFirst, isLast, onLoadMore }: ItemsPageProps) {
  const { t } = useI18n();
  const [result, reexecute] = useQuery({
    query: ExplorerItemsQuery,
    variables: { search, status, first: PAGE_SIZE, after },
  });
  const { data, fetching, error } = result;

  if (error && !data) {
    return (
      <li className="tree__status">
        <QueryError error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      </li>
    );
  }
  if (!data) {
    return (
      <li className="tree__status" role="status">
        {t('app.loading')}
      </li>
    );
  }

  const connection = data.items;
  const filtered = status !== null;
  const items = connection.edges
    .map((edge) => edge.node)
    .filter((item) => !filtered || visibleRevisions(item, true).length > 0);
  const count = connection.totalCount;

  return (
    <>
      {isFirst && (
        <li className="tree__status" role="status" aria-live="polite">
          {fetching
            ? t('app.loading')
            : filtered && !connection.pageInfo.hasNextPage
              ? t('explorer.itemCountFiltered', { count: items.length, total: count })
              : count === 1
                ? t('explorer.itemCount.one')
                : t('explorer.itemCount', { count })}
        </li>
      )}
      {isFirst && items.length === 0 && !connection.pageInfo.hasNextPage && (
        <li className="tree__empty">{filtered && count > 0 ? t('explorer.emptyFiltered') : t('explorer.empty')}</li>
      )}
      {items.map((item) => (
        <ExplorerItemNode key={item.id} item={item} filtered={filtered} />
      ))}
      {isLast && connection.pageInfo.hasNextPage && connection.pageInfo.endCursor && (
        <li className="tree__more">
          <button
            type="button"
            className="button"
            onClick={() => onLoadMore(connection.pageInfo.endCursor as string)}
          >
            {t('explorer.loadMore')}
          </button>
        </li>
      )}
    </>
  );
}
