// The SPA's one live connection. It keeps a cursor per event name, reconnects
// with exponential backoff, replays what it missed (`since` / `lastEventId`),
// falls back to SSE when WebSocket never gets through, and reports its health
// so the shell can show a banner and raise an alert after repeated failures.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { laterCursor, type LiveEvent, type LiveEventName } from './events';
import type { Cursors, Transport, TransportFactory, TransportKind } from './transport';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface LiveHealth {
  state: LiveState;
  transport: TransportKind;
  /** Failed attempts since the connection was last live. */
  failures: number;
  /** When the next attempt starts (epoch ms), while waiting to reconnect. */
  nextAttemptAt: number | null;
  /** Whether the connection has been live at least once. */
  everLive: boolean;
}

export interface LiveConnectionOptions {
  transports: Record<TransportKind, TransportFactory>;
  backoff?: BackoffOptions;
  /** WebSocket attempts that fail before it has ever worked, after which SSE is used. */
  fallbackAfter?: number;
  now?: () => number;
}

type Listener<T> = (value: T) => void;

export class LiveConnection {
  private readonly transports: Record<TransportKind, TransportFactory>;
  private readonly backoff: BackoffOptions;
  private readonly fallbackAfter: number;
  private readonly now: () => number;
  private readonly cursors: Cursors = {};
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private readonly reconnectListeners = new Set<Listener<void>>();
  private readonly healthListeners = new Set<Listener<LiveHealth>>();
  private current: Transport | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private websocketEverWorked = false;
  private resyncRequested = false;
  private health: LiveHealth;

  constructor(options: LiveConnectionOptions) {
    this.transports = options.transports;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.fallbackAfter = options.fallbackAfter ?? 2;
    this.now = options.now ?? Date.now;
    this.health = { state: 'stopped', transport: 'websocket', failures: 0, nextAttemptAt: null, everLive: false };
  }

  start(): void {
    if (this.health.state !== 'stopped') return;
    this.setHealth({ state: 'connecting' });
    this.connect();
  }

  stop(): void {
    this.clearRetry();
    this.current?.close();
    this.current = null;
    this.setHealth({ state: 'stopped', nextAttemptAt: null });
  }

  /** Skip the wait: try again now (the banner's button, the browser coming online). */
  retryNow(): void {
    if (this.health.state !== 'reconnecting' || this.current) return;
    this.clearRetry();
    this.connect();
  }

  getHealth(): LiveHealth {
    return this.health;
  }

  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called after every reconnection (and after a resync): reload what is shown. */
  onReconnect(listener: Listener<void>): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  onHealth(listener: Listener<LiveHealth>): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /** The cursor each stream would resume from (for tests and diagnostics). */
  cursorOf(name: LiveEventName): string | undefined {
    return this.cursors[name];
  }

  private connect(): void {
    const kind = this.health.transport;
    let transport: Transport | null = null;
    transport = this.transports[kind](
      { ...this.cursors },
      {
        onOpen: () => {
          if (this.current !== transport) return;
          const reconnected = this.health.everLive;
          if (kind === 'websocket') this.websocketEverWorked = true;
          this.setHealth({ state: 'live', failures: 0, nextAttemptAt: null, everLive: true });
          if (reconnected) this.reconnectListeners.forEach((listener) => listener());
        },
        onEvent: (event) => {
          if (this.current !== transport) return;
          this.deliver(event);
        },
        onResync: (name) => {
          if (this.current !== transport) return;
          delete this.cursors[name];
          this.resyncRequested = true;
          // Start over on a fresh connection, following that stream from now.
          transport?.close();
          this.current = null;
          this.afterClose();
        },
        onClose: () => {
          if (this.current !== transport) return;
          this.current = null;
          this.afterClose();
        },
      },
    );
    this.current = transport;
  }

  private deliver(event: LiveEvent): void {
    const seen = this.cursors[event.name];
    // A replay after switching transports may repeat what was already shown.
    if (seen !== undefined && laterCursor(seen, event.id) === seen) return;
    this.cursors[event.name] = event.id;
    this.eventListeners.forEach((listener) => listener(event));
  }

  private afterClose(): void {
    if (this.health.state === 'stopped') return;
    if (this.resyncRequested) {
      // Not a failure: the server asked us to start over from now.
      this.resyncRequested = false;
      this.reconnectListeners.forEach((listener) => listener());
      this.connect();
      return;
    }
    const failures = this.health.failures + 1;
    const transport: TransportKind =
      this.health.transport === 'websocket' && !this.websocketEverWorked && failures >= this.fallbackAfter
        ? 'sse'
        : this.health.transport;
    const delay = backoffDelay(failures, this.backoff);
    this.setHealth({ state: 'reconnecting', failures, transport, nextAttemptAt: this.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setHealth(change: Partial<LiveHealth>): void {
    this.health = { ...this.health, ...change };
    const snapshot = this.health;
    this.healthListeners.forEach((listener) => listener(snapshot));
  }
}
