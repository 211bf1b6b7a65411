// Loads the explorer tree page by page (items 50 at a time, each with its first
// revisions and routings; further revisions and routings on demand), keeps it
// in one normalized state, and keeps it live: approval changes patch the row at
// once, then the one routing is re-read; after a reconnection only the items
// pages in view are read again.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useClient } from 'urql';
import { graphql } from '@/gql';
import type { RoutingStatus } from '@/gql/graphql';
import type { LiveEventName } from '@/lib/live/events';
import { useLiveEvent, useLiveRefresh } from '@/lib/live/LiveProvider';
import type { MoreRow } from '../lib/flatten';
import {
  explorerReducer,
  initialExplorerState,
  type ExplorerAction,
  type ExplorerState,
  type ItemConnectionData,
} from '../lib/tree-state';

/** Items per page of the tree. */
export const ITEMS_PAGE_SIZE = 25;
/** Revisions per page (the `first` of ExplorerItem's `revisions`). */
export const REVISIONS_PAGE_SIZE = 50;
/** Routings per page (the `first` of ExplorerRevision's `routings`). */
export const ROUTINGS_PAGE_SIZE = 100;

export const ExplorerRoutingFragmentDoc = graphql(`
  fragment ExplorerRouting on Routing {
    id
    code
    title
    status
    generationStatus
  }
`);

// `$status` is the operation's variable: the server filters each revision's routings.
export const ExplorerRevisionFragmentDoc = graphql(`
  fragment ExplorerRevision on Revision {
    id
    code
    routings(status: $status, first: 100) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          ...ExplorerRouting
        }
      }
    }
  }
`);

export const ExplorerItemFragmentDoc = graphql(`
  fragment ExplorerItem on Item {
    id
    itemCode
    name
    revisions(first: 50) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          ...ExplorerRevision
        }
      }
    }
  }
`);

export const ExplorerItemsQueryDoc = graphql(`
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

export const ExplorerItemRevisionsQueryDoc = graphql(`
  query ExplorerItemRevisions($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {
    item(id: $id) {
      id
      revisions(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            ...ExplorerRevision
          }
        }
      }
    }
  }
`);

export const ExplorerRevisionRoutingsQueryDoc = graphql(`
  query ExplorerRevisionRoutings($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {
    revision(id: $id) {
      id
      routings(status: $status, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            ...ExplorerRouting
          }
        }
      }
    }
  }
`);

export const ExplorerRoutingRowQueryDoc = graphql(`
  query ExplorerRoutingRow($id: ID!) {
    routing(id: $id) {
      id
      ...ExplorerRouting
      revision {
        id
      }
    }
  }
`);

const EMPTY_ITEMS: ItemConnectionData = { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] };

export interface ExplorerData {
  state: ExplorerState;
  dispatch(action: ExplorerAction): void;
  /** Loads the next items page (no-op while one loads, after an error, or at the end); resolves to the new item ids. */
  loadMoreItems(options?: { retry?: boolean }): Promise<string[]>;
  /** Loads the next page of an item's revisions or a revision's routings. */
  loadMore(row: MoreRow, options?: { retry?: boolean }): void;
  /** Reads the given items pages again, merging what changed. */
  refreshPages(pages: readonly number[]): void;
  /** Reads single routings again (after a live event) and patches their rows. */
  refreshRoutings(ids: readonly string[]): void;
}

export function useExplorerData(search: string | null, status: RoutingStatus | null): ExplorerData {
  const client = useClient();
  const [state, dispatch] = useReducer(explorerReducer, status, initialExplorerState);
  const stateRef = useRef(state);
  stateRef.current = state;
  // Answers to an earlier search or filter (or client) are dropped.
  const generation = useRef(0);
  const inflight = useRef(new Set<string>());
  const filters = useRef({ search, status });

  const loadItemsPage = useCallback(
    async (page: number, after: string | null): Promise<string[]> => {
      if (inflight.current.has('items')) return [];
      const gen = generation.current;
      inflight.current.add('items');
      dispatch({ type: 'itemsLoading' });
      const result = await client
        .query(
          ExplorerItemsQueryDoc,
          { ...filters.current, first: ITEMS_PAGE_SIZE, after },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (gen !== generation.current) return [];
      inflight.current.delete('items');
      if (result.error && !result.data) {
        dispatch({ type: 'itemsFailed', error: result.error });
        return [];
      }
      const connection = result.data?.items ?? EMPTY_ITEMS;
      const before = new Set(stateRef.current.itemIds);
      dispatch({ type: 'itemsLoaded', page, after, connection });
      return connection.edges.map((edge) => edge.node.id).filter((id) => !before.has(id));
    },
    [client],
  );

  useEffect(() => {
    generation.current += 1;
    inflight.current = new Set();
    filters.current = { search, status };
    dispatch({ type: 'reset', status });
    void loadItemsPage(0, null);
  }, [search, status, loadItemsPage]);

  const loadMoreItems = useCallback(
    async (options?: { retry?: boolean }): Promise<string[]> => {
      const { root, pageCursors } = stateRef.current;
      if (!root.loaded) return options?.retry ? loadItemsPage(0, null) : [];
      if (!root.hasMore || (root.error && !options?.retry)) return [];
      return loadItemsPage(pageCursors.length, root.cursor);
    },
    [loadItemsPage],
  );

  /** Runs `query` unless one with the same `key` is in flight; `settle` gets its
   * answer, unless the search or filter changed meanwhile (then it is dropped). */
  const queryOnce = useCallback(<T,>(key: string, query: () => Promise<T>, settle: (result: T) => void) => {
    if (inflight.current.has(key)) return;
    inflight.current.add(key);
    const gen = generation.current;
    void query().then((result) => {
      if (gen !== generation.current) return;
      inflight.current.delete(key);
      settle(result);
    });
  }, []);

  const loadMore = useCallback(
    (row: MoreRow, options?: { retry?: boolean }) => {
      const { page, target } = row;
      if (!page.hasMore || (page.error && !options?.retry)) return;
      const variables = { status: filters.current.status, after: page.cursor };
      const network = { requestPolicy: 'network-only' } as const;
      if (target.type === 'revisions') {
        const itemId = target.item.id;
        queryOnce(
          `revisions:${itemId}`,
          () => {
            dispatch({ type: 'revisionsLoading', itemId });
            const pageVariables = { ...variables, id: itemId, first: REVISIONS_PAGE_SIZE };
            return client.query(ExplorerItemRevisionsQueryDoc, pageVariables, network).toPromise();
          },
          (result) => {
            const connection = result.data?.item?.revisions;
            if (connection) dispatch({ type: 'revisionsLoaded', itemId, connection });
            else if (result.error) dispatch({ type: 'revisionsFailed', itemId, error: result.error });
          },
        );
        return;
      }
      const revisionId = target.revision.id;
      queryOnce(
        `routings:${revisionId}`,
        () => {
          dispatch({ type: 'routingsLoading', revisionId });
          const pageVariables = { ...variables, id: revisionId, first: ROUTINGS_PAGE_SIZE };
          return client.query(ExplorerRevisionRoutingsQueryDoc, pageVariables, network).toPromise();
        },
        (result) => {
          const connection = result.data?.revision?.routings;
          if (connection) dispatch({ type: 'routingsLoaded', revisionId, connection });
          else if (result.error) dispatch({ type: 'routingsFailed', revisionId, error: result.error });
        },
      );
    },
    [client, queryOnce],
  );

  const refreshPages = useCallback(
    (pages: readonly number[]) => {
      const { pageCursors } = stateRef.current;
      for (const page of new Set(pages)) {
        if (page >= pageCursors.length) continue;
        const variables = { ...filters.current, first: ITEMS_PAGE_SIZE, after: pageCursors[page] ?? null };
        queryOnce(
          `refresh:${page}`,
          () => client.query(ExplorerItemsQueryDoc, variables, { requestPolicy: 'network-only' }).toPromise(),
          (result) => {
            if (result.data?.items) dispatch({ type: 'pageRefreshed', page, connection: result.data.items });
          },
        );
      }
    },
    [client, queryOnce],
  );

  const refreshRoutings = useCallback(
    (ids: readonly string[]) => {
      const gen = generation.current;
      for (const id of new Set(ids)) {
        void client
          .query(ExplorerRoutingRowQueryDoc, { id }, { requestPolicy: 'network-only' })
          .toPromise()
          .then((result) => {
            if (gen !== generation.current) return;
            const routing = result.data?.routing;
            if (routing) dispatch({ type: 'routingUpserted', revisionId: routing.revision.id, routing });
          });
      }
    },
    [client],
  );

  return { state, dispatch, loadMoreItems, loadMore, refreshPages, refreshRoutings };
}

const LIVE_EVENTS: readonly LiveEventName[] = ['routing.approval.changed', 'addin.job.created', 'addin.job.updated'];

/**
 * Live updates, scoped to what is shown: an approval change patches its row from
 * the event at once; then (coalesced) each affected routing is read again, one
 * small query each (its generation badge, or its arrival under the filter).
 * After a reconnection, only the items pages in view (`visiblePages()`) are read again.
 */
export function useExplorerLive(data: ExplorerData, visiblePages: () => number[]): void {
  const { state, dispatch, refreshRoutings, refreshPages } = data;
  const stateRef = useRef(state);
  stateRef.current = state;
  const pending = useRef(new Set<string>());

  const wanted = (routingId: string, status?: RoutingStatus): boolean => {
    const current = stateRef.current;
    if (current.routings[routingId]) return true;
    // Not shown: it may belong in the tree now (its status matches the filter).
    return status !== undefined && (current.status === null || current.status === status);
  };

  useLiveEvent('routing.approval.changed', (event) => {
    const { routingId, status } = event.payload;
    if (!wanted(routingId, status)) return;
    dispatch({ type: 'routingStatusChanged', routingId, status });
    pending.current.add(routingId);
  });
  useLiveEvent('addin.job.created', (event) => {
    if (wanted(event.payload.routingId)) pending.current.add(event.payload.routingId);
  });
  useLiveEvent('addin.job.updated', (event) => {
    if (wanted(event.payload.routingId)) pending.current.add(event.payload.routingId);
  });

  useLiveRefresh(
    LIVE_EVENTS,
    () => {
      const ids = [...pending.current];
      pending.current.clear();
      if (ids.length > 0) refreshRoutings(ids);
      else refreshPages(visiblePages());
    },
    (event) => {
      if (event.name === 'routing.approval.changed') return wanted(event.payload.routingId, event.payload.status);
      if (event.name === 'addin.job.created' || event.name === 'addin.job.updated') return wanted(event.payload.routingId);
      return false;
    },
  );
}
