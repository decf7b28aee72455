import type { Clock } from '../clock.js';
import { ApiError } from './api-error.js';

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

/** Buckets kept at most; the least recently used go first, so a flood of addresses cannot grow memory. */
const MAX_BUCKETS = 50_000;

/**
 * A token bucket per key (a client address, a write key). In memory and per process: several
 * collectors behind a load balancer each apply the limit to what they see.
 */
export function createRateLimiter(limit: RateLimit, clock: Clock) {
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    /** Throws a 429 with Retry-After when `key` is over its limit; otherwise takes one token. */
    take(key: string, what: string): void {
      const now = clock.now();
      const bucket = buckets.get(key) ?? { tokens: limit.burst, at: now };
      buckets.delete(key);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
      bucket.at = now;
      if (bucket.tokens < 1) {
        buckets.set(key, bucket);
        const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
        throw new ApiError(429, 'rate_limited', `Too many requests from this ${what}; retry in ${retryAfter} s.`, undefined, {
          'retry-after': String(retryAfter),
        });
      }
      bucket.tokens -= 1;
      buckets.set(key, bucket);
      if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
