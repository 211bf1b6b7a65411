import { useCallback, useEffect, useMemo, useState } from 'react';
import { useClient, useQuery, type CombinedError } from 'urql';
import { graphql } from '@/gql';
import type { WorkspaceHistoryQuery as WorkspaceHistoryResult } from '@/gql/graphql';

export const WorkspaceHistoryQuery = graphql(`
  query WorkspaceHistory($id: ID!, $first: Int!, $after: String) {
    routing(id: $id) {
      id
      history(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            type
            actor
            at
            message
            data
          }
        }
      }
    }
  }
`);

type HistoryPage = NonNullable<WorkspaceHistoryResult['routing']>['history'];
export type HistoryEntryNode = HistoryPage['edges'][number]['node'];

/** The server's largest page. */
const PAGE_SIZE = 200;
/** A safety stop: 10,000 entries. */
const MAX_PAGES = 50;

export interface RoutingHistory {
  /** Every entry, oldest first (the server's order). */
  entries: HistoryEntryNode[];
  totalCount: number;
  /** No answer yet. */
  loading: boolean;
  error: CombinedError | undefined;
  refresh(): void;
}

function nodes(page: HistoryPage): HistoryEntryNode[] {
  return page.edges.map((edge) => edge.node);
}

/**
 * A routing's whole history. The API pages it oldest first, so the newest
 * entries (what the timeline shows first) are on the last page: every page is
 * loaded, one after the other (one request for the usual routing), and the
 * timeline pages through them on screen.
 */
export function useRoutingHistory(routingId: string): RoutingHistory {
  const client = useClient();
  const [result, reexecute] = useQuery({
    query: WorkspaceHistoryQuery,
    variables: { id: routingId, first: PAGE_SIZE, after: null },
  });
  const firstPage = result.data?.routing?.history;
  const [later, setLater] = useState<{ entries: HistoryEntryNode[]; error?: CombinedError }>({ entries: [] });

  useEffect(() => {
    if (!firstPage?.pageInfo.hasNextPage) return;
    let cancelled = false;
    void (async () => {
      const entries: HistoryEntryNode[] = [];
      let after = firstPage.pageInfo.endCursor;
      let error: CombinedError | undefined;
      for (let page = 1; page < MAX_PAGES && after; page += 1) {
        const answer = await client
          .query(WorkspaceHistoryQuery, { id: routingId, first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
          .toPromise();
        if (cancelled) return;
        const history = answer.data?.routing?.history;
        if (!history) {
          error = answer.error;
          break;
        }
        entries.push(...nodes(history));
        after = history.pageInfo.hasNextPage ? history.pageInfo.endCursor : null;
      }
      setLater({ entries, error });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, routingId, firstPage]);

  const entries = useMemo(() => {
    if (!firstPage) return [];
    const first = nodes(firstPage);
    if (!firstPage.pageInfo.hasNextPage) return first;
    // History is append-only: later pages fetched earlier are still right.
    const seen = new Set(first.map((entry) => entry.id));
    return [...first, ...later.entries.filter((entry) => !seen.has(entry.id))];
  }, [firstPage, later]);

  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);

  return {
    entries,
    totalCount: firstPage?.totalCount ?? 0,
    loading: !result.data && result.fetching,
    error: result.error ?? later.error,
    refresh,
  };
}

export interface Rejection {
  actor: string;
  at: string;
  reason: string;
  comment: string;
}

function text(data: unknown, key: string): string {
  if (typeof data !== 'object' || data === null) return '';
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A `data` member as text ('' when absent). */
export function dataText(data: unknown, key: string): string {
  return text(data, key);
}

/** The latest rejection (the reason is in `data.reason`; older servers put it in `message`). */
export function latestRejection(entries: readonly HistoryEntryNode[]): Rejection | null {
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index];
    if (entry?.type === 'REJECTED') {
      return {
        actor: entry.actor,
        at: entry.at,
        reason: text(entry.data, 'reason') || entry.message,
        comment: text(entry.data, 'comment'),
      };
    }
  }
  return null;
}
