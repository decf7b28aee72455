/**
 * The entry of a comma-separated forwarding header (X-Forwarded-For, -Proto, -Host) that a proxy
 * of ours wrote. Behind `trustedProxies` proxies that each append what they saw, that is the
 * entry that many places from the right: everything left of it came from whoever sent the
 * request, who can write anything there. With fewer entries than proxies (a request that
 * skipped the outer ones) the left-most entry is the best there is. `true` means one proxy;
 * with no trusted proxy the header is not read at all.
 */
export function trustedHop(value: string | undefined, trustedProxies: number | boolean): string | undefined {
  const proxies = trustedProxies === true ? 1 : trustedProxies === false ? 0 : trustedProxies;
  if (proxies <= 0 || !value) return undefined;
  const hops = value
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  return hops.length > 0 ? hops[Math.max(0, hops.length - proxies)] : undefined;
}
