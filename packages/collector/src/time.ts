/**
 * Instants as the collector keeps them: epoch milliseconds. One place parses them, so every
 * reader agrees on what a valid time is.
 */

/** The last instant a JavaScript Date can hold (±8.64e15 ms); a time past it cannot be read back. */
export const MAX_TIME = 8.64e15;
export const MIN_TIME = -MAX_TIME;

/** Epoch ms from an ISO 8601 string or a number; null when absent or not a time a Date can hold. */
export function parseInstant(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) && ms >= MIN_TIME && ms <= MAX_TIME ? ms : null;
}

/** A time range with open ends filled in, for SQL `>= @from AND < @to`. */
export function boundedRange(range: { from: number | null; to: number | null }): { from: number; to: number } {
  return { from: range.from ?? MIN_TIME, to: range.to ?? MAX_TIME };
}
