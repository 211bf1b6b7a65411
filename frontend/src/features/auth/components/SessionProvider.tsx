import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import { graphql } from '@/gql';
import { onUnauthenticated, useResetGraphQLClient } from '@/lib/graphql-client';
import { login, logout, type SessionUser } from '../api/session';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      username
      displayName
      role
    }
  }
`);

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'signedIn'; user: SessionUser }
  | { status: 'error'; message: string };

interface Session {
  state: SessionState;
  signIn(username: string, password: string): Promise<SessionUser>;
  signOut(): Promise<void>;
  reload(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Knows who is signed in (from `me` on load, then from sign-in and sign-out). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const resetClient = useResetGraphQLClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    client
      .query(MeQuery, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (!current) return;
        const me = result.data?.me;
        if (me) setState({ status: 'signedIn', user: me });
        else if (result.error && !result.data) setState({ status: 'error', message: result.error.message });
        else setState({ status: 'anonymous', expired: false });
      });
    return () => {
      current = false;
    };
    // Only on start (and on retry): sign-in and sign-out set the state themselves.
  }, [attempt]);

  useEffect(
    () =>
      onUnauthenticated(() =>
        setState((previous) =>
          previous.status === 'signedIn' ? { status: 'anonymous', expired: true } : previous,
        ),
      ),
    [],
  );

  const signIn = useCallback(
    async (username: string, password: string) => {
      const user = await login(username, password);
      resetClient();
      setState({ status: 'signedIn', user });
      return user;
    },
    [resetClient],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      resetClient();
      setState({ status: 'anonymous', expired: false });
    }
  }, [resetClient]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, reload }), [state, signIn, signOut, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> above it.');
  return session;
}

/** The signed-in user; only for components rendered behind <RequireSession>. */
export function useSignedInUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('No user is signed in.');
  return state.user;
}
