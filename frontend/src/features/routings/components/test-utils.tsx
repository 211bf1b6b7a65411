// Test helpers for the workspace: a stateful fake GraphQL server, fixtures, and a
// render with a live connection whose events the test emits.
import { act, render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { AppProvider } from '@/app/provider';
import { RequireSession } from '@/features/auth/components/RequireSession';
import { LiveConnection } from '@/lib/live/connection';
import type { LiveEvent } from '@/lib/live/events';
import { LiveProvider } from '@/lib/live/LiveProvider';
import type { TransportFactory, TransportHandlers } from '@/lib/live/transport';
import { RoutingWorkspace } from './RoutingWorkspace';

export interface Call {
  operationName: string;
  variables: Record<string, unknown>;
}

type Answer = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
export type Handler = (variables: Record<string, unknown>) => Answer | Promise<Answer>;

export const users = {
  engineer: { __typename: 'User', id: '1', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' },
  engineer2: { __typename: 'User', id: '2', username: 'engineer2', displayName: 'Eddie Engineer', role: 'ENGINEER' },
  approver: { __typename: 'User', id: '3', username: 'approver', displayName: 'Avery Approver', role: 'APPROVER' },
  admin: { __typename: 'User', id: '4', username: 'admin', displayName: 'Ada Admin', role: 'ADMIN' },
} as const;

export function step(id: string, index: number, name: string, extra: Record<string, unknown> = {}) {
  return {
    __typename: 'RoutingStep',
    id,
    sequence: (index + 1) * 10,
    name,
    workCenter: 'WC-1',
    machine: 'M-1',
    description: '',
    setupMinutes: 10,
    cycleMinutes: 2.5,
    toolingNotes: '',
    parameters: [] as { __typename: string; key: string; value: string }[],
    ...extra,
  };
}

export type RoutingFixture = ReturnType<typeof routingFixture>;

export function routingFixture(overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'Routing',
    id: '9',
    code: 'R-1',
    title: 'Mill and drill',
    description: 'Main routing',
    status: 'DRAFT',
    version: 3,
    camRevision: 0,
    generationStatus: 'NONE',
    lastAddinJobId: null,
    lastGeneratedAt: null,
    submittedAt: null,
    approvedAt: null,
    createdAt: '2026-01-05T10:00:00Z',
    updatedAt: '2026-01-05T11:00:00Z',
    owner: { __typename: 'User', id: '1', username: 'engineer', displayName: 'Erin Engineer' },
    approvedBy: null,
    revision: {
      __typename: 'Revision',
      id: '8',
      code: 'A',
      item: { __typename: 'Item', id: '7', itemCode: 'BRK-100', name: 'Bracket' },
    },
    steps: [
      step('101', 0, 'Rough mill'),
      step('102', 1, 'Drill', { parameters: [{ __typename: 'KeyValue', key: 'tool', value: 'T5' }] }),
    ],
    ...overrides,
  };
}

export interface HistoryFixtureEntry {
  id: string;
  type: string;
  actor: string;
  at: string;
  message: string;
  data: unknown;
}

export function historyAnswer(entries: HistoryFixtureEntry[]) {
  return {
    routing: {
      __typename: 'Routing',
      id: '9',
      history: {
        __typename: 'HistoryEntryConnection',
        totalCount: entries.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
        edges: entries.map((node) => ({ __typename: 'HistoryEntryEdge', node: { __typename: 'HistoryEntry', ...node } })),
      },
    },
  };
}

export interface FakeServer {
  calls: Call[];
  /** What `RoutingWorkspace` answers (null: no such routing). */
  routing: RoutingFixture | null;
  history: HistoryFixtureEntry[];
  handlers: Record<string, Handler>;
  callsOf(name: string): Call[];
}

/** `/graphql` answered by operation name: the routing and history from state, the rest by handlers. */
export function fakeServer(user: (typeof users)[keyof typeof users], init: Partial<FakeServer> = {}): FakeServer {
  const server: FakeServer = {
    calls: [],
    routing: init.routing === undefined ? routingFixture() : init.routing,
    history: init.history ?? [],
    handlers: init.handlers ?? {},
    callsOf(name) {
      return server.calls.filter((call) => call.operationName === name);
    },
  };
  const respond = (json: unknown) =>
    new Response(JSON.stringify(json), { status: 200, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('/graphql')) return new Response('{}', { status: 404 });
      const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; variables?: Record<string, unknown> };
      const operationName = body.operationName ?? '';
      const variables = body.variables ?? {};
      server.calls.push({ operationName, variables });
      const handler = server.handlers[operationName];
      if (handler) return respond(await handler(variables));
      switch (operationName) {
        case 'Me':
          return respond({ data: { me: user } });
        case 'RoutingWorkspace':
          return respond({ data: { routing: server.routing } });
        case 'WorkspaceHistory':
          return respond({ data: historyAnswer(server.history) });
        default:
          return respond({ data: null, errors: [{ message: `No fake for ${operationName}` }] });
      }
    }),
  );
  return server;
}

export function renderWorkspace(path: string) {
  const transports: TransportHandlers[] = [];
  const factory: TransportFactory = (_cursors, handlers) => {
    transports.push(handlers);
    return { kind: 'websocket', close() {} };
  };
  const live = new LiveConnection({ transports: { websocket: factory, sse: factory } });
  const router = createMemoryRouter(
    [
      { path: '/', element: <p>Explorer page</p> },
      { path: '/sign-in', element: <p>Sign-in page</p> },
      {
        path: '/routings/:id/:tab?',
        element: (
          <RequireSession>
            <LiveProvider connection={live}>
              <RoutingWorkspace
                renderFiles={(ctx) => (
                  <p>
                    Files of {ctx.routingId}, owner {ctx.ownerId}, can edit: {String(ctx.canEdit)}
                  </p>
                )}
                renderAddin={(ctx) => <p>Jobs of {ctx.routingId}</p>}
              />
            </LiveProvider>
          </RequireSession>
        ),
      },
    ],
    { initialEntries: [path] },
  );
  render(
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  let nextId = 100;
  let opened = false;
  return {
    router,
    /** Delivers a live event, as the server would push it. */
    emit(event: Omit<LiveEvent, 'id'>) {
      const handlers = transports[transports.length - 1];
      if (!handlers) throw new Error('The live connection has not started.');
      nextId += 1;
      act(() => {
        if (!opened) handlers.onOpen();
        opened = true;
        handlers.onEvent({ ...event, id: String(nextId) } as LiveEvent);
      });
    },
  };
}
