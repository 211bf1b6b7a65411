// graphql-ws (graphql-transport-ws protocol) on WS /graphql, same origin so the
// session cookie goes along. One socket carries all the subscriptions.
import { stringifyDocument } from '@urql/core';
import { createClient, type Client } from 'graphql-ws';
import type { LiveEvent, LiveEventName } from './events';
import {
  LiveAddinJobCreated,
  LiveAddinJobUpdated,
  LiveFileCommitted,
  LiveNotificationAlert,
  LiveRoutingApprovalChanged,
} from './documents';
import type { Cursors, Transport, TransportHandlers } from './transport';

/** A ping every KEEPALIVE_MS; no pong within PONG_TIMEOUT_MS means the link is dead. */
const KEEPALIVE_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

type Payload = Record<string, unknown> & { eventId: string };

const SUBSCRIPTIONS: { name: LiveEventName; field: string; document: Parameters<typeof stringifyDocument>[0] }[] = [
  { name: 'addin.job.created', field: 'addinJobCreated', document: LiveAddinJobCreated },
  { name: 'addin.job.updated', field: 'addinJobUpdated', document: LiveAddinJobUpdated },
  { name: 'routing.approval.changed', field: 'routingApprovalChanged', document: LiveRoutingApprovalChanged },
  { name: 'file.committed', field: 'fileCommitted', document: LiveFileCommitted },
  { name: 'notification.alert', field: 'notificationAlert', document: LiveNotificationAlert },
];

export function websocketUrl(location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}

function errorCodes(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((e) => (e as { extensions?: { code?: unknown } }).extensions?.code).filter((c): c is string => typeof c === 'string');
}

export function websocketTransport(cursors: Cursors, handlers: TransportHandlers, url = websocketUrl()): Transport {
  let finished = false;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribes: (() => void)[] = [];
  const shutDown = () => {
    finished = true;
    clearTimeout(pongTimer);
    // Release the subscriptions first, while the socket may still take their `complete`.
    unsubscribes.splice(0).forEach((unsubscribe) => unsubscribe());
    void client.dispose();
  };
  const finish = (reason: string) => {
    if (finished) return;
    shutDown();
    handlers.onClose(reason);
  };

  const client: Client = createClient({
    url,
    lazy: false,
    retryAttempts: 0,
    // Failures arrive through `closed` / `error` below; LiveConnection retries.
    onNonLazyError: () => {},
    keepAlive: KEEPALIVE_MS,
    on: {
      connected: () => {
        if (!finished) handlers.onOpen();
      },
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => finish('no answer to ping'), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        finish(code ? `closed (${code})` : 'closed');
      },
      error: () => finish('error'),
    },
  });

  for (const { name, field, document } of SUBSCRIPTIONS) {
    const unsubscribe = client.subscribe<Record<string, Payload>>(
      { query: stringifyDocument(document), variables: { since: cursors[name] ?? null } },
      {
        next: (result) => {
          if (finished) return;
          const payload = result.data?.[field];
          if (payload) {
            const { eventId, ...rest } = payload;
            handlers.onEvent({ name, id: eventId, payload: rest } as unknown as LiveEvent);
          } else if (errorCodes(result.errors).includes('RESYNC')) {
            handlers.onResync(name);
          }
        },
        error: (error) => {
          if (finished) return;
          if (errorCodes(error).includes('RESYNC')) handlers.onResync(name);
          else finish('subscription failed');
        },
        complete: () => {},
      },
    );
    unsubscribes.push(unsubscribe);
  }

  return {
    kind: 'websocket',
    close: shutDown,
  };
}
