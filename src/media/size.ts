// The one way `mms` prints sizes: base 1024 (1 KB = 1024 bytes, 1 MB = 1024 KB), as file managers and `ls -h`
// show them. Where a figure is decimal by nature (carrier limits, a --fit-budget of 600KB), the exact bytes
// are printed beside it, so the same file never shows two different "KB" figures.

/** Formats a byte count for people (base 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** formatBytes plus the exact count, e.g. "557 KB (570,000 bytes)", for budgets and limits given in decimal units. */
export function formatBytesExact(n: number): string {
  return n < 1024 ? formatBytes(n) : `${formatBytes(n)} (${n.toLocaleString('en-US')} bytes)`;
}
