import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The host's back end proves who a visitor is by computing, on its own servers,
 * `HMAC-SHA256(verification secret, userId)` in hex and passing it to `identify`.
 */
export function computeUserHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/** Constant-time check against the current secret and any rotated secret still in its grace period. */
export function isValidUserHash(secrets: readonly string[], userId: string, userHash: string): boolean {
  const given = Buffer.from(userHash.toLowerCase(), 'utf8');
  let valid = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeUserHash(secret, userId), 'utf8');
    // Compare every secret, so timing does not say which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
