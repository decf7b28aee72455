import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** How a host name is resolved: node:dns by default, injectable for tests. */
export type ResolveHost = (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export const resolveWithDns: ResolveHost = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));

/**
 * Addresses a webhook may not reach unless private targets are allowed: loopback, private
 * networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, "this network",
 * multicast and reserved ranges, and their IPv6 forms. Without this, a team member could make the
 * collector POST into the network it runs in (SSRF).
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32]] as const) BLOCKED.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!match) return null;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const inner = embeddedIpv4(address);
    return inner ? BLOCKED.check(inner, 'ipv4') : BLOCKED.check(address, 'ipv6');
  }
  return true;
}

/** Why a URL cannot be a webhook target by its text alone (null: it can). */
export function urlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry a user name or password; authenticate with the signature instead';
  if (text.length > 2_000) return 'must be at most 2,000 characters';
  return null;
}

export class RefusedTarget extends Error {}

/**
 * Resolves the URL's host and checks every address it resolves to; returns the address to
 * connect to. The delivery connects to exactly this address (send-webhook.ts pins it), so a DNS
 * answer that changes between this check and the connection (DNS rebinding) cannot redirect it.
 * Throws RefusedTarget for a refused address; a failed lookup throws what DNS threw.
 */
export async function checkTarget(text: string, options: { allowPrivate: boolean; resolve?: ResolveHost }): Promise<{ address: string; family: 4 | 6 }> {
  const problem = urlProblem(text);
  if (problem) throw new RefusedTarget(`The URL ${problem}.`);
  const host = new URL(text).hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses = family ? [{ address: host, family: family as 4 | 6 }] : await (options.resolve ?? resolveWithDns)(host);
  if (addresses.length === 0) throw new Error(`${host} did not resolve to any address.`);
  if (!options.allowPrivate) {
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused) {
      throw new RefusedTarget(
        `${host} resolves to ${refused.address}, a private, loopback or link-local address; webhooks may not target those unless HARK_WEBHOOKS_ALLOW_PRIVATE=1.`,
      );
    }
  }
  return addresses[0]!;
}
