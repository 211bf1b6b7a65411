// Test helpers for the explorer: its fake GraphQL answers, data builders, and a
// render of the explorer page inside the app's providers (src/testing/ has the rest).
import type { ReactNode } from 'react';
import { useParams } from 'react-router';
import { useSession } from '@/features/auth/components/SessionProvider';
import type { GenerationStatus, Role, RoutingStatus } from '@/gql/graphql';
import { LiveProvider } from '@/lib/live/LiveProvider';
import { fakeLive } from '@/testing/fakeLive';
import { stubFetch, type GraphQLAnswer, type Variables } from '@/testing/fakeServer';
import { renderRoutes } from '@/testing/render';
import { ExplorerPage } from './ExplorerPage';

export type Answer = GraphQLAnswer;
export type Handler = (variables: Variables) => Answer;

/** Stubs `fetch`: `/graphql` answers with `handlers[operationName](variables)` (`data: null` if none). */
export function fakeServer(handlers: Record<string, Handler>) {
  return stubFetch({
    graphql: ({ operationName, variables }) => {
      const handler = handlers[operationName];
      return handler ? handler(variables) : { data: null };
    },
  });
}

export function connection<T>(
  typename: string,
  nodes: T[],
  options: { total?: number; hasNextPage?: boolean; endCursor?: string | null } = {},
) {
  return {
    __typename: `${typename}Connection`,
    totalCount: options.total ?? nodes.length,
    pageInfo: { __typename: 'PageInfo', hasNextPage: options.hasNextPage ?? false, endCursor: options.endCursor ?? null },
    edges: nodes.map((node) => ({ __typename: `${typename}Edge`, node })),
  };
}

export function routing(
  id: string,
  code: string,
  title: string,
  status: RoutingStatus = 'DRAFT',
  generationStatus: GenerationStatus = 'NONE',
) {
  return { __typename: 'Routing', id, code, title, status, generationStatus };
}

export type RoutingData = ReturnType<typeof routing>;

export function revision(id: string, code: string, routings: RoutingData[], options?: Parameters<typeof connection>[2]) {
  return { __typename: 'Revision', id, code, routings: connection('Routing', routings, options) };
}

export type RevisionData = ReturnType<typeof revision>;

export function item(id: string, itemCode: string, name: string, revisions: RevisionData[]) {
  return { __typename: 'Item', id, itemCode, name, revisions: connection('Revision', revisions) };
}

export type ItemData = ReturnType<typeof item>;

/** Answers ExplorerItems from `all`, honouring `first` and `after` (cursor = offset). */
export function itemsHandler(all: ItemData[]): Handler {
  return (variables) => {
    const first = Number(variables.first ?? 50);
    const offset = variables.after ? Number(variables.after) : 0;
    const page = all.slice(offset, offset + first);
    const end = offset + page.length;
    return {
      data: {
        items: connection('Item', page, { total: all.length, hasNextPage: end < all.length, endCursor: String(end) }),
      },
    };
  };
}

export function userOf(role: Role) {
  return { __typename: 'User', id: '1', username: role.toLowerCase(), displayName: `Test ${role}`, role };
}

function SignedIn({ children }: { children: ReactNode }) {
  const { state } = useSession();
  return state.status === 'signedIn' ? <>{children}</> : null;
}

function WorkspaceStub() {
  const { id } = useParams();
  return <h1>{`Workspace ${id}`}</h1>;
}

/** Renders the explorer at `path` for a signed-in user (the Me query must be answered). */
export function renderExplorer(path = '/', live = fakeLive()) {
  const { router } = renderRoutes(
    [
      {
        path: '/',
        element: (
          <SignedIn>
            <LiveProvider connection={live.connection}>
              <ExplorerPage />
            </LiveProvider>
          </SignedIn>
        ),
      },
      { path: '/routings/:id', element: <WorkspaceStub /> },
    ],
    path,
  );
  return { router, live };
}
