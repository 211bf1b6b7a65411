import { describe, expect, it } from 'vitest';
import { formatBytes } from '@/lib/format';
import { percentOf, shortSha } from './format';

describe('formatBytes', () => {
  it('uses decimal units with at most one decimal', () => {
    expect(formatBytes(0, 'en')).toBe('0 bytes');
    expect(formatBytes(1, 'en')).toBe('1 byte');
    expect(formatBytes(999, 'en')).toBe('999 bytes');
    expect(formatBytes(4_500_000, 'en')).toBe('4.5 MB');
    expect(formatBytes(10_000_000, 'en')).toBe('10 MB');
    expect(formatBytes(123_456_789, 'en')).toBe('123 MB');
    expect(formatBytes(20 * 1024 ** 3, 'en')).toBe('21.5 GB');
  });
});

describe('percentOf', () => {
  it('rounds down and reaches 100 only when done', () => {
    expect(percentOf(4_500_000, 10_000_000)).toBe(45);
    expect(percentOf(9_999_999, 10_000_000)).toBe(99);
    expect(percentOf(10_000_000, 10_000_000)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
  });
});

describe('shortSha', () => {
  it('keeps the first 12 hex digits', () => {
    expect(shortSha('0123456789abcdef'.repeat(4))).toBe('0123456789ab');
  });
});
