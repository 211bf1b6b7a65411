// Percentages and hashes as the Files tab shows them (sizes: formatBytes in @/lib/format).

/** Whole percent of `part` in `total`, rounded down (100 only when done). */
export function percentOf(part: number, total: number): number {
  if (total <= 0) return part > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, Math.floor((part / total) * 100)));
}

/** The first 12 hex digits of a SHA-256. */
export function shortSha(sha256: string): string {
  return sha256.length > 12 ? sha256.slice(0, 12) : sha256;
}
