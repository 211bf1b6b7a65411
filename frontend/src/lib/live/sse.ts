// The fallback when WebSocket is blocked (SPEC §3): GET /events/updates and
// /events/alerts as server-sent events. Native EventSource reconnection is not
// used: on any error both streams close and LiveConnection retries with backoff,
// resuming each stream from its cursor (`?lastEventId=`).
import { earlierCursor, isLiveEventName, type LiveEvent, type LiveEventName } from './events';
import type { Cursors, Transport, TransportHandlers } from './transport';

const STREAMS: { path: string; names: LiveEventName[] }[] = [
  {
    path: '/events/updates',
    names: ['addin.job.created', 'addin.job.updated', 'routing.approval.changed', 'file.committed'],
  },
  { path: '/events/alerts', names: ['notification.alert'] },
];

/** One stream carries several names: resume from the earliest cursor known among
 * them (what it repeats, LiveConnection drops), or live when none is known. */
export function streamCursor(cursors: Cursors, names: LiveEventName[]): string | undefined {
  let cursor: string | undefined;
  for (const name of names) {
    const known = cursors[name];
    if (known !== undefined) cursor = cursor === undefined ? known : earlierCursor(cursor, known);
  }
  return cursor;
}

export function sseTransport(cursors: Cursors, handlers: TransportHandlers): Transport {
  let finished = false;
  let opened = 0;
  const sources: EventSource[] = [];
  const closeAll = () => sources.forEach((source) => source.close());
  const finish = (reason: string) => {
    if (finished) return;
    finished = true;
    closeAll();
    handlers.onClose(reason);
  };

  for (const { path, names } of STREAMS) {
    const cursor = streamCursor(cursors, names);
    const url = cursor ? `${path}?lastEventId=${encodeURIComponent(cursor)}` : path;
    const source = new EventSource(url, { withCredentials: true });
    sources.push(source);
    source.onopen = () => {
      opened += 1;
      if (opened === STREAMS.length && !finished) handlers.onOpen();
    };
    source.onerror = () => finish('event stream failed');
    for (const name of names) {
      source.addEventListener(name, (message) => {
        if (finished || !isLiveEventName(name)) return;
        const { eventId, ...payload } = JSON.parse((message as MessageEvent<string>).data) as Record<string, unknown>;
        handlers.onEvent({ name, id: String(eventId ?? (message as MessageEvent).lastEventId), payload } as unknown as LiveEvent);
      });
    }
    source.addEventListener('resync', () => {
      if (!finished) names.forEach((name) => handlers.onResync(name));
    });
  }

  return {
    kind: 'sse',
    close() {
      finished = true;
      closeAll();
    },
  };
}
