// Byte sizes, percentages and hashes as the Files tab shows them.

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** `10 MB`, `4.5 MB`, `512 byte`: decimal units (1 MB = 1,000,000 bytes), locale-aware. */
export function formatBytes(bytes: number, locale: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit] ?? 'byte',
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1,
  }).format(value);
}

/** Whole percent of `part` in `total`, rounded down (100 only when done). */
export function percentOf(part: number, total: number): number {
  if (total <= 0) return part > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, Math.floor((part / total) * 100)));
}

/** The first 12 hex digits of a SHA-256. */
export function shortSha(sha256: string): string {
  return sha256.length > 12 ? sha256.slice(0, 12) : sha256;
}
