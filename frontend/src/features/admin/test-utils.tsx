// Helpers for the admin console's tests: a fake /graphql that answers by
// operation name and records what was sent, and a render at a route.
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { AppProvider } from '@/app/provider';
import { routes } from '@/app/router';

export interface GraphQLCall {
  operationName: string;
  variables: Record<string, unknown>;
}

export interface GraphQLAnswer {
  data?: unknown;
  errors?: { message: string; extensions?: { code: string } }[];
}

type Answer = GraphQLAnswer | ((variables: Record<string, unknown>, call: number) => GraphQLAnswer);

/** `answers[operationName]` gives `{data}` or `{errors}` (or a function of the variables); unknown names get `data: null`. */
export function fakeGraphQL(answers: Record<string, Answer>) {
  const calls: GraphQLCall[] = [];
  const counts = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const respond = (status: number, json: unknown) =>
      new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
    if (!url.endsWith('/graphql')) return respond(404, {});
    const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; variables?: Record<string, unknown> };
    const operationName = body.operationName ?? '';
    const variables = body.variables ?? {};
    calls.push({ operationName, variables });
    const count = (counts.get(operationName) ?? 0) + 1;
    counts.set(operationName, count);
    const answer = answers[operationName];
    const json = typeof answer === 'function' ? answer(variables, count) : (answer ?? { data: null });
    return respond(200, json);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    /** The variables of every call of one operation, in order. */
    variablesOf: (operationName: string) => calls.filter((c) => c.operationName === operationName).map((c) => c.variables),
  };
}

export function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return router;
}

export const admin = { id: '1', username: 'admin', displayName: 'Ada Admin', role: 'ADMIN' };
export const engineer = { id: '2', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' };

export function meAnswer(user: typeof admin): GraphQLAnswer {
  return { data: { me: { __typename: 'User', ...user } } };
}

export function forbidden(message: string): GraphQLAnswer {
  return { data: null, errors: [{ message, extensions: { code: 'FORBIDDEN' } }] };
}

export function failure(code: string, message: string): GraphQLAnswer {
  return { data: null, errors: [{ message, extensions: { code } }] };
}

export function userNode(
  id: string,
  username: string,
  displayName: string,
  role: string,
  isActive = true,
  createdAt = '2025-03-01T08:00:00+00:00',
) {
  return { __typename: 'User', id, username, displayName, role, isActive, createdAt };
}

export function usersAnswer(nodes: ReturnType<typeof userNode>[], hasNextPage = false): GraphQLAnswer {
  return {
    data: {
      users: {
        __typename: 'UserConnection',
        totalCount: nodes.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: hasNextPage ? 'cursor-1' : null },
        edges: nodes.map((node) => ({ __typename: 'UserEdge', node })),
      },
    },
  };
}

export const someUsers = [
  userNode('1', 'admin', 'Ada Admin', 'ADMIN'),
  userNode('2', 'engineer', 'Erin Engineer', 'ENGINEER'),
  userNode('3', 'approver', 'Avery Approver', 'APPROVER'),
  userNode('4', 'addin', 'addin', 'AGENT'),
  userNode('5', 'old-timer', 'Olive Old', 'ENGINEER', false),
];
