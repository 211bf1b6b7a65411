import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// Unit tests have no server: the live connection's sockets and event streams
// stay "connecting" forever (LiveConnection itself is tested with fake transports).
class InertSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly readyState = 0;
  readonly protocol = '';
  onopen = null;
  onclose = null;
  onerror = null;
  onmessage = null;
  constructor(readonly url: string) {
    super();
  }
  send(): void {}
  close(): void {}
}
globalThis.WebSocket = InertSocket as unknown as typeof WebSocket;
globalThis.EventSource = InertSocket as unknown as typeof EventSource;
