// After the last byte the server still verifies the checksum and scans the file, and it
// pushes no event for that: the only way to learn the outcome is to ask until it is final.
import type { Client } from 'urql';
import { errorCode } from '@/lib/graphql-client';
import { fetchUploadSession } from './uploadSession';
import type { PollTiming } from './uploadTypes';

/** What one answer (or the lack of one) means for the upload. */
export type SessionOutcome =
  | { kind: 'checking'; state: 'verifying' | 'scanning' }
  | { kind: 'committed'; fileId: string | null }
  | { kind: 'quarantined'; fileId: string | null; detail: string }
  | { kind: 'ended'; status: 'FAILED' | 'CANCELLED' | 'EXPIRED'; failureReason: string | null }
  | { kind: 'notFound'; message: string }
  | { kind: 'stalled' };

export interface PollTarget {
  // Read on every round: the client changes with the session, and the id arrives with tus' last answer.
  client(): Client;
  uploadId(): string | null;
  /** False once the attempt was restarted, dismissed or disposed: its answers no longer matter. */
  isCurrent(): boolean;
  /** Keeps the pending timer where the store can clear it when it stops the attempt. */
  setTimer(timer: ReturnType<typeof setTimeout> | null): void;
  /** Polling goes on after `checking` (unless the time is up) and stops after any other outcome. */
  onOutcome(outcome: SessionOutcome): void;
}

/** Asks quickly at first (a small file is done in a second), then less often, then gives up. */
export function pollUploadSession(target: PollTarget, timing: PollTiming, startedAt: number): void {
  const uploadId = target.uploadId();
  if (!uploadId) {
    target.onOutcome({ kind: 'stalled' });
    return;
  }
  const next = () => {
    const elapsed = Date.now() - startedAt;
    if (elapsed >= timing.giveUpAfterMs) {
      target.onOutcome({ kind: 'stalled' });
      return;
    }
    const delay = elapsed < timing.fastForMs ? timing.fastMs : timing.slowMs;
    target.setTimer(
      setTimeout(() => {
        target.setTimer(null);
        pollUploadSession(target, timing, startedAt);
      }, delay),
    );
  };
  void fetchUploadSession(target.client(), uploadId).then((result) => {
    if (!target.isCurrent()) return;
    const session = result.data?.uploadSession;
    if (!session) {
      // Any other error may be passing (network, restart): ask again.
      if (errorCode(result.error) === 'NOT_FOUND') target.onOutcome({ kind: 'notFound', message: result.error?.message ?? '' });
      else next();
      return;
    }
    switch (session.status) {
      case 'RECEIVING':
      case 'VERIFYING':
        target.onOutcome({ kind: 'checking', state: 'verifying' });
        next();
        return;
      case 'SCANNING':
        target.onOutcome({ kind: 'checking', state: 'scanning' });
        next();
        return;
      case 'COMMITTED':
        target.onOutcome({ kind: 'committed', fileId: session.file?.id ?? null });
        return;
      case 'QUARANTINED':
        target.onOutcome({
          kind: 'quarantined',
          fileId: session.file?.id ?? null,
          detail: session.file?.scanDetail || session.failureReason || '',
        });
        return;
      case 'FAILED':
      case 'CANCELLED':
      case 'EXPIRED':
        target.onOutcome({ kind: 'ended', status: session.status, failureReason: session.failureReason ?? null });
        return;
    }
  });
}
