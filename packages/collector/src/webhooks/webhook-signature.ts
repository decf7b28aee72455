import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new signing secret: shown once, when made or rotated. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;

/** `v1=<hex HMAC-SHA256 of "${timestamp}.${body}">`, the `Hark-Webhook-Signature` header. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (docs/API.md has it as a snippet): recompute, compare in constant time,
 * and refuse a timestamp more than `toleranceS` from now, so a captured request cannot be replayed later.
 */
export function verifyWebhook(secret: string, headers: { timestamp: string; signature: string }, body: string, nowS: number, toleranceS = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
