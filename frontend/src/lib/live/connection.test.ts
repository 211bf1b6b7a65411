import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveConnection, type LiveHealth } from './connection';
import type { LiveEvent } from './events';
import type { Cursors, Transport, TransportHandlers, TransportKind } from './transport';

/** A transport the test drives by hand: it records how each attempt was opened. */
class FakeTransports {
  readonly attempts: { kind: TransportKind; cursors: Cursors; handlers: TransportHandlers; closed: boolean }[] = [];

  factory(kind: TransportKind) {
    return (cursors: Cursors, handlers: TransportHandlers): Transport => {
      const attempt = { kind, cursors, handlers, closed: false };
      this.attempts.push(attempt);
      return {
        kind,
        close: () => {
          attempt.closed = true;
        },
      };
    };
  }

  get last() {
    const attempt = this.attempts.at(-1);
    if (!attempt) throw new Error('no attempt yet');
    return attempt;
  }
}

const noJitter = { baseMs: 1000, maxMs: 30_000, jitter: 0 };

function setup() {
  const fakes = new FakeTransports();
  const live = new LiveConnection({
    transports: { websocket: fakes.factory('websocket'), sse: fakes.factory('sse') },
    backoff: noJitter,
  });
  const events: LiveEvent[] = [];
  const health: LiveHealth[] = [];
  let reconnects = 0;
  live.onEvent((event) => events.push(event));
  live.onHealth((h) => health.push(h));
  live.onReconnect(() => (reconnects += 1));
  return { fakes, live, events, health, reconnects: () => reconnects };
}

const updated = (id: string, routingId = '1'): LiveEvent => ({
  name: 'addin.job.updated',
  id,
  payload: { jobId: '5', routingId, status: 'RUNNING', message: null, updatedAt: '2026-12-03T10:00:00Z' },
});

describe('LiveConnection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes live on open and delivers events', () => {
    const { fakes, live, events } = setup();
    live.start();
    expect(live.getHealth().state).toBe('connecting');
    fakes.last.handlers.onOpen();
    expect(live.getHealth()).toMatchObject({ state: 'live', transport: 'websocket', failures: 0, everLive: true });
    fakes.last.handlers.onEvent(updated('7'));
    expect(events.map((e) => e.id)).toEqual(['7']);
  });

  it('reconnects with exponential backoff and resumes each stream from its cursor', () => {
    const { fakes, live, reconnects } = setup();
    live.start();
    fakes.last.handlers.onOpen();
    fakes.last.handlers.onEvent(updated('41'));
    fakes.last.handlers.onClose('closed (1006)');
    expect(live.getHealth()).toMatchObject({ state: 'reconnecting', failures: 1 });

    vi.advanceTimersByTime(999);
    expect(fakes.attempts).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fakes.attempts).toHaveLength(2);
    expect(fakes.last.cursors).toEqual({ 'addin.job.updated': '41' });

    fakes.last.handlers.onClose('refused');
    expect(live.getHealth().failures).toBe(2);
    vi.advanceTimersByTime(1999);
    expect(fakes.attempts).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(fakes.attempts).toHaveLength(3);

    fakes.last.handlers.onOpen();
    expect(live.getHealth()).toMatchObject({ state: 'live', failures: 0 });
    expect(reconnects()).toBe(1);
  });

  it('caps the delay and counts failures up to the alert threshold', () => {
    const { fakes, live } = setup();
    live.start();
    fakes.last.handlers.onOpen();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      fakes.last.handlers.onClose('refused');
      const health = live.getHealth();
      delays.push((health.nextAttemptAt ?? 0) - Date.now());
      vi.advanceTimersByTime(health.nextAttemptAt! - Date.now());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(live.getHealth().failures).toBe(7);
  });

  it('falls back to SSE when WebSocket has never worked, and stays on WebSocket once it has', () => {
    const first = setup();
    first.live.start();
    first.fakes.last.handlers.onClose('blocked');
    vi.advanceTimersByTime(1000);
    expect(first.fakes.last.kind).toBe('websocket');
    first.fakes.last.handlers.onClose('blocked');
    expect(first.live.getHealth().transport).toBe('sse');
    vi.advanceTimersByTime(2000);
    expect(first.fakes.last.kind).toBe('sse');
    first.fakes.last.handlers.onOpen();
    expect(first.live.getHealth()).toMatchObject({ state: 'live', transport: 'sse' });

    const second = setup();
    second.live.start();
    second.fakes.last.handlers.onOpen();
    for (let i = 0; i < 4; i++) {
      second.fakes.last.handlers.onClose('server down');
      vi.advanceTimersByTime(second.live.getHealth().nextAttemptAt! - Date.now());
    }
    expect(second.fakes.attempts.every((a) => a.kind === 'websocket')).toBe(true);
  });

  it('drops events a replay repeats', () => {
    const { fakes, live, events } = setup();
    live.start();
    fakes.last.handlers.onOpen();
    fakes.last.handlers.onEvent(updated('10'));
    fakes.last.handlers.onEvent(updated('12'));
    fakes.last.handlers.onEvent(updated('11'));
    fakes.last.handlers.onEvent(updated('13'));
    expect(events.map((e) => e.id)).toEqual(['10', '12', '13']);
  });

  it('on RESYNC forgets that stream cursor, reconnects at once and asks pages to reload', () => {
    const { fakes, live, reconnects } = setup();
    live.start();
    fakes.last.handlers.onOpen();
    fakes.last.handlers.onEvent(updated('10'));
    fakes.last.handlers.onResync('addin.job.updated');
    expect(fakes.attempts[0]?.closed).toBe(true);
    expect(fakes.attempts).toHaveLength(2);
    expect(fakes.last.cursors).toEqual({});
    expect(live.getHealth().failures).toBe(0);
    expect(reconnects()).toBe(1);
  });

  it('ignores a superseded transport and stops cleanly', () => {
    const { fakes, live, events } = setup();
    live.start();
    const old = fakes.last;
    old.handlers.onClose('refused');
    vi.advanceTimersByTime(1000);
    old.handlers.onEvent(updated('99'));
    expect(events).toEqual([]);
    live.stop();
    expect(fakes.last.closed).toBe(true);
    expect(live.getHealth().state).toBe('stopped');
    vi.advanceTimersByTime(60_000);
    expect(fakes.attempts).toHaveLength(2);
  });

  it('retries at once when asked (the banner button, the browser coming online)', () => {
    const { fakes, live } = setup();
    live.start();
    fakes.last.handlers.onOpen();
    fakes.last.handlers.onClose('refused');
    live.retryNow();
    expect(fakes.attempts).toHaveLength(2);
  });
});
