// Test helpers for the explorer: a fake GraphQL server answering by operation
// name (with the variables sent), data builders, a live connection the test
// drives, and a render of the explorer page inside the app's providers.
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, useParams } from 'react-router';
import { vi } from 'vitest';
import { ToastProvider } from '@/components/Toasts';
import { SessionProvider, useSession } from '@/features/auth/components/SessionProvider';
import type { GenerationStatus, Role, RoutingStatus } from '@/gql/graphql';
import { I18nProvider } from '@/i18n';
import { GraphQLProvider } from '@/lib/graphql-client';
import { LiveConnection } from '@/lib/live/connection';
import type { LiveEvent } from '@/lib/live/events';
import { LiveProvider } from '@/lib/live/LiveProvider';
import type { TransportHandlers } from '@/lib/live/transport';
import { ExplorerPage } from './ExplorerPage';

export type Variables = Record<string, unknown>;
export type Answer = { data?: unknown; errors?: { message: string; extensions?: { code: string } }[] };
export type Handler = (variables: Variables) => Answer;

export interface Call {
  operationName: string;
  variables: Variables;
}

/** Stubs `fetch`: `/graphql` answers with `handlers[operationName](variables)`. */
export function fakeServer(handlers: Record<string, Handler>) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; variables?: Variables };
      const operationName = body.operationName ?? '';
      const variables = body.variables ?? {};
      calls.push({ operationName, variables });
      const handler = handlers[operationName];
      const answer = handler ? handler(variables) : { data: null };
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return {
    calls,
    callsOf: (name: string) => calls.filter((call) => call.operationName === name),
  };
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

/** A live connection whose one transport the test drives. */
export function fakeLive() {
  let handlers: TransportHandlers | null = null;
  const live = new LiveConnection({
    transports: {
      websocket: (_cursors, h) => {
        handlers = h;
        return { kind: 'websocket', close: () => {} };
      },
      sse: (_cursors, h) => {
        handlers = h;
        return { kind: 'sse', close: () => {} };
      },
    },
  });
  return {
    live,
    open: () => handlers?.onOpen(),
    /** The connection drops and comes back at once (a reconnection). */
    reconnect: () => {
      handlers?.onClose('dropped');
      live.retryNow();
      handlers?.onOpen();
    },
    emit: (event: LiveEvent) => handlers?.onEvent(event),
  };
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
  const router = createMemoryRouter(
    [
      {
        path: '/',
        element: (
          <SignedIn>
            <LiveProvider connection={live.live}>
              <ExplorerPage />
            </LiveProvider>
          </SignedIn>
        ),
      },
      { path: '/routings/:id', element: <WorkspaceStub /> },
    ],
    { initialEntries: [path] },
  );
  render(
    <I18nProvider locale="en">
      <GraphQLProvider>
        <ToastProvider>
          <SessionProvider>
            <RouterProvider router={router} />
          </SessionProvider>
        </ToastProvider>
      </GraphQLProvider>
    </I18nProvider>,
  );
  return { router, live };
}
