import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Project } from '../store/types.js';

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

/**
 * Whether an identify proves who it names: verification is on for the project and `userHash`
 * matches the current or an in-grace verification secret. Ingest and eligibility both ask this.
 */
export function isVerifiedUser(project: Project, userId: string, userHash: string | null | undefined): boolean {
  if (!userHash || userHash.length > 128 || project.settings.identityVerification === 'off') return false;
  return isValidUserHash([project.settings.verificationSecret, ...project.graceVerificationSecrets], userId, userHash);
}
