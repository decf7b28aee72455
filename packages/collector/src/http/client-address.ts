import type { Context } from 'hono';
import { trustedHop } from './forwarded-hop.js';

/**
 * The address a request came from, for the per-client rate limits. Without a trusted proxy it
 * is the socket's. Behind `trustedProxies` proxies that each append the address they received
 * from to X-Forwarded-For, the client is the entry that many places from the right: the
 * right-most entries were written by the proxies, everything left of them by whoever sent the
 * request, who can write anything there (reading the first entry let a client that changes it on
 * every request escape the limit). `true` means one proxy.
 *
 * With fewer entries than proxies (a request that skipped the outer ones), the left-most entry
 * is the best there is: a proxy of ours wrote it.
 */
export function clientAddress(c: Context, trustedProxies: number | boolean): string {
  const forwarded = trustedHop(c.req.header('x-forwarded-for'), trustedProxies);
  if (forwarded) return forwarded;
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
