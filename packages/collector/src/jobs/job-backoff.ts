/** The first retry waits about this long; each next one twice as long, up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 5_000;
export const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * Exponential backoff with "equal jitter": half the step fixed, half random, so a receiver that
 * was down for everyone is not hit by every retry at the same instant when it comes back, while
 * a retry never comes sooner than half its step. `attempt` is the attempt that just failed (1…).
 * `random` is injectable so tests can pin it.
 */
export function exponentialBackoff(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
