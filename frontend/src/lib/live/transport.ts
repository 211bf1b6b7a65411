// A transport is one attempt at a live connection: it opens, delivers events and
// closes once. It never retries by itself; LiveConnection decides when and how
// (backoff, the switch to SSE) and tells the next one where to resume.
import type { LiveEvent, LiveEventName } from './events';

export type TransportKind = 'websocket' | 'sse';

/** Where each event name's stream should resume (the last eventId seen), if known. */
export type Cursors = Partial<Record<LiveEventName, string>>;

export interface TransportHandlers {
  /** The server accepted the connection (graphql-ws `connection_ack`, or the SSE streams opened). */
  onOpen(): void;
  onEvent(event: LiveEvent): void;
  /** The server no longer holds the events after this cursor: reload, then follow from now. */
  onResync(name: LiveEventName): void;
  /** The connection failed or ended; called at most once, never after `close()`. */
  onClose(reason: string): void;
}

export interface Transport {
  readonly kind: TransportKind;
  close(): void;
}

export type TransportFactory = (cursors: Cursors, handlers: TransportHandlers) => Transport;
