// Sizes and durations in words, for the add-in pages.
import type { Translate } from '@/i18n';

/** The exact byte count, for a title or a screen reader. */
export function formatExactBytes(bytes: number, locale: string, t: Translate): string {
  return t('addin.size.bytes', { n: new Intl.NumberFormat(locale).format(bytes) });
}

/** `3725` → "1 h 2 min"; under a minute in seconds. */
export function formatDuration(seconds: number, locale: string, t: Translate): string {
  const whole = Math.max(0, Math.round(seconds));
  const number = (n: number) => new Intl.NumberFormat(locale).format(n);
  if (whole < 60) return t('addin.duration.seconds', { s: number(whole) });
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return t('addin.duration.minutes', { m: number(minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('addin.duration.hours', { h: number(hours), m: number(minutes % 60) });
  return t('addin.duration.days', { d: number(Math.floor(hours / 24)), h: number(hours % 24) });
}

/** Seconds from `iso` to `now` (epoch ms); null for a missing or bad date. */
export function secondsSince(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? null : (now - at) / 1000;
}
