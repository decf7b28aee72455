import type { Context } from 'hono';
import { trustedHop } from './forwarded-hop.js';

export interface PublicOrigin {
  protocol: 'http' | 'https';
  /** `host` or `host:port`, as a browser reaches the collector. */
  host: string;
}

// A host name, IPv4 or [IPv6] address, with an optional port: nothing else goes into a document
// the collector hands to browsers.
const HOST = /^(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The scheme and host a browser used to reach the collector: the request's own (its Host
 * header), or, behind a proxy the collector is told to trust (HARK_TRUST_PROXY, as for
 * X-Forwarded-For in client-address.ts), the X-Forwarded-Proto and X-Forwarded-Host entries our
 * proxy wrote (forwarded-hop.ts), so a collector behind a TLS-terminating proxy names its public
 * https address. Reading the left-most entry let any client name another host in a document
 * that is cached publicly (the analytics-next settings).
 */
export function publicOrigin(c: Context, trustProxy: boolean | number): PublicOrigin {
  const url = new URL(c.req.url);
  let protocol: PublicOrigin['protocol'] = url.protocol === 'https:' ? 'https' : 'http';
  let host = url.host;
  if (trustProxy) {
    const proto = trustedHop(c.req.header('x-forwarded-proto'), trustProxy)?.toLowerCase();
    if (proto === 'http' || proto === 'https') protocol = proto;
    const forwardedHost = trustedHop(c.req.header('x-forwarded-host'), trustProxy);
    if (forwardedHost && HOST.test(forwardedHost)) host = forwardedHost.toLowerCase();
  }
  return { protocol, host };
}
