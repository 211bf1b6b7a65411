// A fake server for unit tests: `fetch` is stubbed; `/graphql` is answered by
// operation name (and every call recorded with its variables), anything else by
// a handler of the test (404 by default).
import { vi } from 'vitest';

export type Variables = Record<string, unknown>;

export interface GraphQLCall {
  operationName: string;
  variables: Variables;
}

/** A GraphQL response body: `{data}` or `{errors}`. */
export interface GraphQLAnswer {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A request that is not a GraphQL one. */
export interface FakeRequest {
  url: string;
  /** The URL's path, without origin and query. */
  path: string;
  init: RequestInit | undefined;
}

export interface FakeFetchOptions {
  /** The response body for one GraphQL call; `count` is 1 on the first call of that operation. */
  graphql(call: GraphQLCall, count: number): unknown | Promise<unknown>;
  /** Any other request (default: 404 with `{}`). */
  other?(request: FakeRequest): Response | Promise<Response>;
  /** Operations answered but left out of `calls` (e.g. `Me`). */
  unrecorded?: readonly string[];
}

export interface FakeFetch {
  /** The GraphQL calls, in the order they were sent. */
  calls: GraphQLCall[];
  /** The calls of one operation, in order. */
  callsOf(operationName: string): GraphQLCall[];
  /** The variables of every call of one operation, in order. */
  variablesOf(operationName: string): Variables[];
}

export function jsonResponse(status: number, json: unknown): Response {
  return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
}

export function requestUrl(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** Stubs the global `fetch` (undo with `vi.unstubAllGlobals()`). */
export function stubFetch(options: FakeFetchOptions): FakeFetch {
  const calls: GraphQLCall[] = [];
  const counts = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = requestUrl(input);
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '';
    if (path !== '/graphql') {
      return options.other ? options.other({ url, path, init }) : jsonResponse(404, {});
    }
    const body = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string; variables?: Variables };
    const call = { operationName: body.operationName ?? '', variables: body.variables ?? {} };
    if (!options.unrecorded?.includes(call.operationName)) calls.push(call);
    const count = (counts.get(call.operationName) ?? 0) + 1;
    counts.set(call.operationName, count);
    return jsonResponse(200, await options.graphql(call, count));
  });
  vi.stubGlobal('fetch', fetchMock);
  const callsOf = (operationName: string) => calls.filter((call) => call.operationName === operationName);
  return { calls, callsOf, variablesOf: (operationName) => callsOf(operationName).map((call) => call.variables) };
}

/** A GraphQL error answer with `extensions.code`. */
export function graphQLError(code: string, message: string): GraphQLAnswer {
  return { data: null, errors: [{ message, extensions: { code } }] };
}

/** The answer to an operation the test did not expect. */
export function noFake(operationName: string): GraphQLAnswer {
  return { data: null, errors: [{ message: `No fake for ${operationName}` }] };
}

/** What an operation answers: a GraphQL response body (`{data}` or `{errors}`). */
export type Answer = (variables: Variables) => unknown;

export interface RestAnswer {
  status: number;
  json: unknown;
}

/**
 * The usual fake: `Me` answers `user` (not recorded), `graphql[operationName](variables)` the rest
 * (an error for an operation not listed); other requests by path from `rest` (404 otherwise).
 */
export function fakeServer(
  user: unknown,
  graphql: Record<string, Answer>,
  rest: Record<string, () => RestAnswer> = {},
): FakeFetch {
  return stubFetch({
    unrecorded: ['Me'],
    graphql({ operationName, variables }) {
      if (operationName === 'Me') return { data: { me: user } };
      const answer = graphql[operationName];
      return answer ? answer(variables) : noFake(operationName);
    },
    other({ path }) {
      const answer = rest[path];
      if (!answer) return jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'Not here' } });
      const { status, json } = answer();
      return jsonResponse(status, json);
    },
  });
}
