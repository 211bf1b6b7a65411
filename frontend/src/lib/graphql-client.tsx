// The one urql client of the app. It is replaced (never duplicated) when the
// signed-in user changes, so no cached data outlives a session.
import {
  cacheExchange,
  Client,
  CombinedError,
  fetchExchange,
  mapExchange,
  Provider,
} from 'urql';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Calls `listener` whenever the server says the session is missing or over. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/** True for the server's `UNAUTHENTICATED` error (GraphQL code or HTTP 401). */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  if (error.response instanceof Response && error.response.status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/** The SPEC error code of the first GraphQL error, if any (`NOT_FOUND`, `FORBIDDEN` …). */
export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What the server said: the GraphQL errors' messages, or the network error's. */
export function serverMessage(error: CombinedError): string {
  return error.graphQLErrors.map((e) => e.message).join(' ') || error.message;
}

export function createGraphQLClient(): Client {
  return new Client({
    url: '/graphql',
    // Same origin: the HttpOnly session cookie goes along by itself.
    fetchOptions: { credentials: 'same-origin', headers: { accept: 'application/graphql-response+json, application/json' } },
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) unauthenticatedListeners.forEach((listener) => listener());
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}

const ResetContext = createContext<() => void>(() => {});

/** Provides the client; `useResetGraphQLClient()` swaps it for a fresh, empty one. */
export function GraphQLProvider({ children }: { children: ReactNode }) {
  const [client, setClient] = useState(createGraphQLClient);
  const reset = useCallback(() => setClient(createGraphQLClient()), []);
  return (
    <ResetContext.Provider value={reset}>
      <Provider value={client}>{children}</Provider>
    </ResetContext.Provider>
  );
}

export function useResetGraphQLClient(): () => void {
  return useContext(ResetContext);
}
