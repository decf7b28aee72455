import type { Context } from 'hono';

/**
 * The address a request came from: the socket's, or the first X-Forwarded-For hop when the
 * collector is told it runs behind a proxy it trusts (anyone can send that header otherwise).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
