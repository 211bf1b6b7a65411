import { describe, expect, it } from 'vitest';
import { streamCursor } from './sse';

describe('streamCursor', () => {
  const names = ['addin.job.created', 'addin.job.updated', 'routing.approval.changed'] as const;

  it('resumes a shared stream from the earliest cursor of its event names', () => {
    expect(
      streamCursor({ 'addin.job.created': '30', 'addin.job.updated': '12', 'routing.approval.changed': '25' }, [...names]),
    ).toBe('12');
  });

  it('ignores names without a cursor, and follows live when none is known', () => {
    expect(streamCursor({ 'addin.job.updated': '12', 'routing.approval.changed': '20' }, [...names])).toBe('12');
    expect(streamCursor({}, [...names])).toBeUndefined();
  });
});
