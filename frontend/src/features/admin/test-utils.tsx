// Helpers for the admin console's tests: a fake /graphql that answers by
// operation name and records what was sent, and a render at a route.
import { routes } from '@/app/router';
import { graphQLError, stubFetch, type GraphQLAnswer, type Variables } from '@/testing/fakeServer';
import { renderRoutes } from '@/testing/render';

export type { GraphQLAnswer };

type Answer = GraphQLAnswer | ((variables: Variables, call: number) => GraphQLAnswer);

/** `answers[operationName]` gives `{data}` or `{errors}` (or a function of the variables); unknown names get `data: null`. */
export function fakeGraphQL(answers: Record<string, Answer>) {
  return stubFetch({
    graphql({ operationName, variables }, count) {
      const answer = answers[operationName];
      return typeof answer === 'function' ? answer(variables, count) : (answer ?? { data: null });
    },
  });
}

export function renderAt(path: string) {
  return renderRoutes(routes, path).router;
}

export const admin = { id: '1', username: 'admin', displayName: 'Ada Admin', role: 'ADMIN' };
export const engineer = { id: '2', username: 'engineer', displayName: 'Erin Engineer', role: 'ENGINEER' };

export function meAnswer(user: typeof admin): GraphQLAnswer {
  return { data: { me: { __typename: 'User', ...user } } };
}

export function forbidden(message: string): GraphQLAnswer {
  return graphQLError('FORBIDDEN', message);
}

export { graphQLError as failure };

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
