// Test helpers for the workspace: a stateful fake GraphQL server, fixtures, and a
// render with a live connection whose events the test emits (on src/testing/).
import { RequireSession } from '@/features/auth/components/RequireSession';
import { LiveProvider } from '@/lib/live/LiveProvider';
import { fakeLive } from '@/testing/fakeLive';
import { noFake, stubFetch, type GraphQLAnswer, type GraphQLCall } from '@/testing/fakeServer';
import { renderRoutes } from '@/testing/render';
import { RoutingWorkspace } from './RoutingWorkspace';

export type Call = GraphQLCall;
export type Handler = (variables: Record<string, unknown>) => GraphQLAnswer | Promise<GraphQLAnswer>;

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
  stubFetch({
    async graphql(call) {
      server.calls.push(call);
      const handler = server.handlers[call.operationName];
      if (handler) return handler(call.variables);
      switch (call.operationName) {
        case 'Me':
          return { data: { me: user } };
        case 'RoutingWorkspace':
          return { data: { routing: server.routing } };
        case 'WorkspaceHistory':
          return { data: historyAnswer(server.history) };
        default:
          return noFake(call.operationName);
      }
    },
  });
  return server;
}

export function renderWorkspace(path: string) {
  const live = fakeLive();
  const { router } = renderRoutes(
    [
      { path: '/', element: <p>Explorer page</p> },
      { path: '/sign-in', element: <p>Sign-in page</p> },
      {
        path: '/routings/:id/:tab?',
        element: (
          <RequireSession>
            <LiveProvider connection={live.connection}>
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
    path,
  );
  return {
    router,
    /** Delivers a live event, as the server would push it. */
    emit: live.deliver,
  };
}
