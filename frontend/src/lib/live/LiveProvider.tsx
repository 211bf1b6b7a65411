import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { LiveConnection, type LiveHealth } from './connection';
import type { LiveEventName, LiveEventOf } from './events';
import { sseTransport } from './sse';
import { websocketTransport } from './websocket';

const LiveContext = createContext<LiveConnection | null>(null);

export function createLiveConnection(): LiveConnection {
  return new LiveConnection({ transports: { websocket: websocketTransport, sse: sseTransport } });
}

/** Opens the live connection while mounted (inside the signed-in shell). */
export function LiveProvider({ children, connection }: { children: ReactNode; connection?: LiveConnection }) {
  const [live] = useState(() => connection ?? createLiveConnection());
  useEffect(() => {
    live.start();
    const online = () => live.retryNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      live.stop();
    };
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLiveConnection(): LiveConnection {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLiveConnection() needs a <LiveProvider> above it.');
  return live;
}

/** The connection's health, re-rendering on every change. */
export function useLiveHealth(): LiveHealth {
  const live = useLiveConnection();
  return useSyncExternalStore(
    (notify) => live.onHealth(notify),
    () => live.getHealth(),
  );
}

/** Calls `handler` for every event named `name` (the latest handler, without resubscribing). */
export function useLiveEvent<N extends LiveEventName>(name: N, handler: (event: LiveEventOf<N>) => void): void {
  const live = useLiveConnection();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      live.onEvent((event) => {
        if (event.name === name) latest.current(event as LiveEventOf<N>);
      }),
    [live, name],
  );
}

/**
 * Keeps a query fresh: calls `refresh` when an event among `names` passes
 * `matches` (default: any), and after every reconnection, since what happened
 * meanwhile may not all be replayable. Bursts are coalesced into one refresh.
 */
export function useLiveRefresh(
  names: readonly LiveEventName[],
  refresh: () => void,
  matches: (event: LiveEventOf<LiveEventName>) => boolean = () => true,
): void {
  const live = useLiveConnection();
  const latest = useRef({ refresh, matches });
  latest.current = { refresh, matches };
  const key = names.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const schedule = () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current.refresh();
      }, 30);
    };
    const wanted = new Set(key.split(','));
    const offEvent = live.onEvent((event) => {
      if (wanted.has(event.name) && latest.current.matches(event)) schedule();
    });
    const offReconnect = live.onReconnect(schedule);
    return () => {
      offEvent();
      offReconnect();
      if (timer !== null) clearTimeout(timer);
    };
  }, [live, key]);
}
