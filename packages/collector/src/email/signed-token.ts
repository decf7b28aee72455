import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What each email URL's token is for. The purpose is part of what the MAC covers, so a token
 * made for one use (an open pixel) is refused as another (a click), and none of them passes as
 * a chain token though all are signed with the same project link secret.
 */
export type TokenPurpose = 'email-open' | 'email-click' | 'email-unsubscribe';

// 16 bytes of HMAC-SHA256 (128 bits) is far beyond guessing and keeps links short in a mail.
const MAC_BYTES = 16;
const MAX_TOKEN_CHARS = 2048;

/** `base64url(JSON).base64url(HMAC-SHA256(purpose, payload))[:16 bytes]`. */
export function signToken(secret: string, purpose: TokenPurpose, body: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** The body a token carries, or null for anything not signed with `secret` for `purpose` (never throws: tokens come from URLs). */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): Record<string, unknown> | null {
  if (typeof token !== 'string' || typeof secret !== 'string' || secret === '' || token.length > MAX_TOKEN_CHARS) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The payload of a token without checking its MAC. Only to find which project's secret to
 * check it with (a public URL carries no project); never trust what it says before verifyToken.
 */
export function peekToken(token: string): Record<string, unknown> | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  try {
    const body: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const mac = (secret: string, purpose: TokenPurpose, payload: string): Buffer =>
  createHmac('sha256', secret).update(`${purpose}\n${payload}`).digest().subarray(0, MAC_BYTES);
