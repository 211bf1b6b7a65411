// A Relay connection shown page by page ("Load more"), kept live. Each page is
// its own urql query (one small component per page, rendering nothing); this
// hook merges them in order and drops repeats: the server's cursors are
// positions, so after an insertion at the top a refetched page may start with
// the item the page before it just lost.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode, type UseQueryArgs } from 'urql';
import type { LiveEventName, LiveEventOf } from '@/lib/live/events';
import { useLiveRefresh } from '@/lib/live/LiveProvider';

export interface ConnectionLike<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: readonly { node: N }[];
}

export interface PagedOptions<D, V extends AnyVariables, N> {
  query: TypedDocumentNode<D, V>;
  /** The query's variables other than `first` and `after`. */
  variables: Omit<V, 'first' | 'after'>;
  select(data: D): ConnectionLike<N> | null | undefined;
  pageSize: number;
  /** Live events that make every page refetch (and after each reconnection). */
  liveEvents?: readonly LiveEventName[];
  liveMatches?: (event: LiveEventOf<LiveEventName>) => boolean;
  /** False: run no query and show nothing (default true). */
  enabled?: boolean;
}

export interface Paged<N> {
  nodes: N[];
  totalCount: number | null;
  /** The first page has answered (data or error). */
  loaded: boolean;
  /** An error of a page with no data to show. */
  error: CombinedError | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  /** Refetch every page from the server. */
  refetch(): void;
  /** Render these somewhere in the tree: they run the queries. */
  loaders: ReactNode;
}

interface PageState<N> {
  connection: ConnectionLike<N> | null;
  fetching: boolean;
  error: CombinedError | null;
}

export function usePagedConnection<D, V extends AnyVariables, N extends { id: string }>(
  options: PagedOptions<D, V, N>,
): Paged<N> {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [pages, setPages] = useState<Record<string, PageState<N>>>({});
  const [refreshSignal, setRefreshSignal] = useState(0);
  const latest = useRef(options);
  latest.current = options;

  const report = useCallback((key: string, state: PageState<N>) => {
    setPages((previous) => ({ ...previous, [key]: state }));
  }, []);

  const refetch = useCallback(() => setRefreshSignal((n) => n + 1), []);

  const states = cursors.map((cursor) => pages[cursor ?? '']);
  const last = states[states.length - 1];
  const lastConnection = last?.connection ?? null;
  const hasMore = Boolean(lastConnection?.pageInfo.hasNextPage && lastConnection.pageInfo.endCursor);
  const loadingMore = cursors.length > 1 && (last === undefined || (last.fetching && !last.connection));

  const loadMore = useCallback(() => {
    const cursor = lastConnection?.pageInfo.endCursor;
    if (!cursor) return;
    setCursors((previous) => (previous.includes(cursor) ? previous : [...previous, cursor]));
  }, [lastConnection]);

  const nodes = useMemo(() => {
    const seen = new Set<string>();
    const merged: N[] = [];
    for (const state of states) {
      for (const edge of state?.connection?.edges ?? []) {
        if (seen.has(edge.node.id)) continue;
        seen.add(edge.node.id);
        merged.push(edge.node);
      }
    }
    return merged;
    // `states` is rebuilt on every render; `pages` and `cursors` are what it depends on.
  }, [pages, cursors]);

  const first = states[0];
  const enabled = options.enabled ?? true;
  const loaders = !enabled ? null : cursors.map((cursor) => (
    <PageLoader<D, V, N>
      key={cursor ?? ''}
      cursor={cursor}
      options={latest.current}
      refreshSignal={refreshSignal}
      onState={report}
    />
  ));

  if (!enabled) {
    return { nodes: [], totalCount: null, loaded: false, error: null, hasMore: false, loadingMore: false, loadMore, refetch, loaders };
  }
  return {
    nodes,
    totalCount: first?.connection?.totalCount ?? null,
    loaded: Boolean(first && (first.connection || first.error)),
    error: states.find((state) => state?.error && !state.connection)?.error ?? null,
    hasMore,
    loadingMore,
    loadMore,
    refetch,
    loaders,
  };
}

interface PageLoaderProps<D, V extends AnyVariables, N> {
  cursor: string | null;
  options: PagedOptions<D, V, N>;
  refreshSignal: number;
  onState(key: string, state: PageState<N>): void;
}

function PageLoader<D, V extends AnyVariables, N>({ cursor, options, refreshSignal, onState }: PageLoaderProps<D, V, N>) {
  const variables = useMemo(
    () => ({ ...options.variables, first: options.pageSize, after: cursor }) as unknown as V,
    // The variables object is rebuilt by callers on every render: compare its content.
    [JSON.stringify(options.variables), options.pageSize, cursor],
  );
  const [result, reexecute] = useQuery<D, V>({ query: options.query, variables } as UseQueryArgs<V, D>);
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useLiveRefresh(options.liveEvents ?? [], refresh, options.liveMatches);

  const firstSignal = useRef(refreshSignal);
  useEffect(() => {
    if (refreshSignal !== firstSignal.current) refresh();
  }, [refreshSignal, refresh]);

  const connection = result.data ? (options.select(result.data) ?? null) : null;
  const { fetching } = result;
  const error = result.error ?? null;
  useEffect(() => {
    onState(cursor ?? '', { connection, fetching, error });
  }, [connection, fetching, error, cursor, onState]);
  return null;
}
