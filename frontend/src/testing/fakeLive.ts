// A live connection for unit tests: its transports are fakes whose opening and
// events the test drives by hand (LiveConnection itself runs as in the app).
import { act } from '@testing-library/react';
import { LiveConnection } from '@/lib/live/connection';
import type { LiveEvent, LiveEventName, LivePayloads } from '@/lib/live/events';
import type { TransportHandlers, TransportKind } from '@/lib/live/transport';

type WithoutId<E> = E extends unknown ? Omit<E, 'id'> & { id?: string } : never;
/** A live event; without an `id` one is given (growing). */
export type FakeLiveEvent = WithoutId<LiveEvent>;

export interface FakeLiveOptions {
  /** Open each transport as soon as the connection takes it (default: at the first event, or by `open()`). */
  openAtOnce?: boolean;
}

export function fakeLive(options: FakeLiveOptions = {}) {
  let current: TransportHandlers | null = null;
  const opened = new WeakSet<TransportHandlers>();
  let nextId = 0;
  const openTransport = (handlers: TransportHandlers) => {
    opened.add(handlers);
    handlers.onOpen();
  };
  const factory = (kind: TransportKind) => (_cursors: unknown, handlers: TransportHandlers) => {
    current = handlers;
    // Opened once the connection has taken the transport as its current one.
    if (options.openAtOnce) queueMicrotask(() => openTransport(handlers));
    return {
      kind,
      close() {
        if (current === handlers) current = null;
      },
    };
  };
  const connection = new LiveConnection({ transports: { websocket: factory('websocket'), sse: factory('sse') } });
  const transport = () => {
    if (!current) throw new Error('The live connection has no transport open.');
    return current;
  };
  const deliver = (event: FakeLiveEvent) => {
    const handlers = transport();
    nextId += 1;
    const full = { ...event, id: event.id ?? String(nextId) } as LiveEvent;
    act(() => {
      if (!opened.has(handlers)) openTransport(handlers);
      handlers.onEvent(full);
    });
  };
  return {
    connection,
    /** The server accepts the current transport. */
    open: () => openTransport(transport()),
    /** The connection drops and comes back at once (a reconnection). */
    reconnect() {
      transport().onClose('dropped');
      connection.retryNow();
      openTransport(transport());
    },
    /** Delivers an event, as the server would push it (opening the transport first if need be). */
    deliver,
    emit<N extends LiveEventName>(name: N, payload: LivePayloads[N]) {
      deliver({ name, payload } as FakeLiveEvent);
    },
  };
}

export type FakeLive = ReturnType<typeof fakeLive>;
