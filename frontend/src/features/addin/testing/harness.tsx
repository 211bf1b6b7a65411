// Test helpers for this feature: a fake server (GraphQL by operation name, REST by
// path), a live connection driven by hand, and the providers a page needs.
import { act, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { ToastProvider } from '@/components/Toasts';
import { RequireSession } from '@/features/auth/components/RequireSession';
import { SessionProvider } from '@/features/auth/components/SessionProvider';
import type { Role } from '@/gql/graphql';
import { I18nProvider } from '@/i18n';
import { GraphQLProvider } from '@/lib/graphql-client';
import { LiveConnection } from '@/lib/live/connection';
import type { LivePayloads, LiveEventName } from '@/lib/live/events';
import { LiveProvider } from '@/lib/live/LiveProvider';
import type { TransportHandlers } from '@/lib/live/transport';

export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

export const users = {
  engineer: { id: '1', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' },
  engineer2: { id: '2', username: 'engineer2', displayName: 'Eli Engineer', role: 'ENGINEER' },
  approver: { id: '3', username: 'approver', displayName: 'Ada Approver', role: 'APPROVER' },
  admin: { id: '4', username: 'admin', displayName: 'Alex Admin', role: 'ADMIN' },
  auditor: { id: '5', username: 'auditor', displayName: 'Aud Auditor', role: 'AUDITOR' },
} satisfies Record<string, TestUser>;

export interface GraphQLCall {
  operationName: string;
  variables: Record<string, unknown>;
}

/** What an operation answers: a GraphQL response body (`{data}` or `{errors}`). */
export type Answer = (variables: Record<string, unknown>) => unknown;

export interface RestAnswer {
  status: number;
  json: unknown;
}

export interface FakeServer {
  calls: GraphQLCall[];
  rest: string[];
  /** Calls of one operation. */
  callsOf(operationName: string): GraphQLCall[];
}

export function fakeServer(
  user: TestUser,
  graphql: Record<string, Answer>,
  rest: Record<string, () => RestAnswer> = {},
): FakeServer {
  const calls: GraphQLCall[] = [];
  const restCalls: string[] = [];
  const respond = (status: number, json: unknown) =>
    new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    if (path === '/graphql') {
      const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; variables?: Record<string, unknown> };
      const operationName = body.operationName ?? '';
      if (operationName === 'Me') return respond(200, { data: { me: user } });
      const variables = body.variables ?? {};
      calls.push({ operationName, variables });
      const answer = graphql[operationName];
      if (!answer) return respond(200, { data: null, errors: [{ message: `No fake for ${operationName}` }] });
      return respond(200, answer(variables));
    }
    restCalls.push(path);
    const answer = rest[path];
    if (!answer) return respond(404, { error: { code: 'NOT_FOUND', message: 'Not here' } });
    const { status, json } = answer();
    return respond(status, json);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, rest: restCalls, callsOf: (name) => calls.filter((call) => call.operationName === name) };
}

/** A GraphQL error answer with `extensions.code`. */
export function graphQLError(code: string, message: string): unknown {
  return { data: null, errors: [{ message, extensions: { code } }] };
}

export function connection<N>(nodes: N[], options: { hasNextPage?: boolean; endCursor?: string | null; totalCount?: number } = {}) {
  return {
    totalCount: options.totalCount ?? nodes.length,
    pageInfo: { hasNextPage: options.hasNextPage ?? false, endCursor: options.endCursor ?? (nodes.length ? String(nodes.length - 1) : null) },
    edges: nodes.map((node, index) => ({ cursor: String(index), node })),
  };
}

/** A live connection whose events the test sends by hand. */
export function fakeLive() {
  let handlers: TransportHandlers | null = null;
  let cursor = 0;
  const factory = (_cursors: unknown, next: TransportHandlers) => {
    handlers = next;
    // Opened once the connection has taken the transport as its current one.
    queueMicrotask(() => next.onOpen());
    return {
      kind: 'websocket' as const,
      close() {
        if (handlers === next) handlers = null;
      },
    };
  };
  const connection = new LiveConnection({ transports: { websocket: factory, sse: factory } });
  return {
    connection,
    emit<N extends LiveEventName>(name: N, payload: LivePayloads[N]) {
      cursor += 1;
      const event = { name, id: String(cursor), payload } as Parameters<TransportHandlers['onEvent']>[0];
      act(() => handlers?.onEvent(event));
    },
  };
}

export type FakeLive = ReturnType<typeof fakeLive>;

/** Renders `element` at `path` for a signed-in `user`, with the app's providers around it. */
export function renderPage(element: ReactNode, live: FakeLive, path = '/') {
  const router = createMemoryRouter(
    [
      {
        path: '*',
        element: (
          <RequireSession>
            <LiveProvider connection={live.connection}>{element}</LiveProvider>
          </RequireSession>
        ),
      },
    ],
    { initialEntries: [path] },
  );
  const view = render(
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
  return { ...view, router };
}
