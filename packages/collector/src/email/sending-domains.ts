import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { promises as dnsPromises } from 'node:dns';
import type { DomainCheck, SendingDomain } from '../store/email-store.js';

/** The DNS look-ups verification makes; tests pass a stub. */
export interface DnsResolver {
  resolveTxt(name: string): Promise<string[][]>;
  resolveCname(name: string): Promise<string[]>;
}

export const systemResolver: DnsResolver = {
  resolveTxt: (name) => dnsPromises.resolveTxt(name),
  resolveCname: (name) => dnsPromises.resolveCname(name),
};

/**
 * What the records point at depends on the SMTP provider: its SPF include
 * (HARK_EMAIL_SPF_INCLUDE, e.g. `amazonses.com`) and its bounce host for the return path
 * (HARK_EMAIL_RETURN_PATH, e.g. `feedback-smtp.eu-west-1.amazonses.com`). Without them the SPF
 * record asks only for a `v=spf1` record and no return path is required.
 */
export interface DomainPolicy {
  spfInclude: string | null;
  returnPathHost: string | null;
}

export interface DnsRecord {
  record: DomainCheck['record'];
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function normalizeDomain(value: string): string | null {
  const domain = value.trim().toLowerCase().replace(/\.$/, '');
  return DOMAIN.test(domain) ? domain : null;
}

/** A new DKIM key (RSA 2048) and a selector that names it; the private key stays in the store. */
export function newDkimKey(): { selector: string; publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { selector: `hark${randomBytes(3).toString('hex')}`, publicKey: publicKey.toString('base64'), privateKey };
}

/** The records to publish for a domain, as the console shows them to copy. */
export function recordsFor(domain: Pick<SendingDomain, 'domain' | 'selector' | 'publicKey'>, policy: DomainPolicy): DnsRecord[] {
  const records: DnsRecord[] = [
    { record: 'dkim', type: 'TXT', name: `${domain.selector}._domainkey.${domain.domain}`, value: `v=DKIM1; k=rsa; p=${domain.publicKey}` },
    { record: 'spf', type: 'TXT', name: domain.domain, value: policy.spfInclude ? `v=spf1 include:${policy.spfInclude} ~all` : 'v=spf1 a mx ~all' },
  ];
  if (policy.returnPathHost) records.push({ record: 'returnPath', type: 'CNAME', name: `bounce.${domain.domain}`, value: policy.returnPathHost });
  return records;
}

async function lookup<T>(run: () => Promise<T[]>): Promise<T[]> {
  try {
    return await run();
  } catch {
    // NXDOMAIN, no data, a timeout: the record is not there (yet); the check says what was found.
    return [];
  }
}

/**
 * Looks each record up and says which hold. The DKIM TXT must carry our public key (other tags may
 * differ); the SPF TXT must be a `v=spf1` record with our include when there is one; the return
 * path CNAME must point at the provider's host.
 */
export async function checkDomain(domain: SendingDomain, policy: DomainPolicy, resolver: DnsResolver): Promise<{ checks: DomainCheck[]; verified: boolean }> {
  const checks: DomainCheck[] = [];
  for (const record of recordsFor(domain, policy)) {
    if (record.type === 'TXT') {
      const found = (await lookup(() => resolver.resolveTxt(record.name))).map((chunks) => chunks.join(''));
      const ok =
        record.record === 'dkim'
          ? found.some((txt) => txt.replace(/\s+/g, '').includes(`p=${domain.publicKey}`))
          : found.some((txt) => /^v=spf1\b/i.test(txt.trim()) && (!policy.spfInclude || txt.toLowerCase().includes(`include:${policy.spfInclude.toLowerCase()}`)));
      checks.push({ record: record.record, ok, found });
    } else {
      const found = await lookup(() => resolver.resolveCname(record.name));
      checks.push({ record: record.record, ok: found.some((host) => host.replace(/\.$/, '').toLowerCase() === record.value.toLowerCase()), found });
    }
  }
  return { checks, verified: checks.every((check) => check.ok) };
}

/** A domain as the API shows it: the records, the checks, never the private key. */
export function publicDomain(domain: SendingDomain, policy: DomainPolicy) {
  return {
    id: domain.id,
    domain: domain.domain,
    selector: domain.selector,
    status: domain.verified ? ('verified' as const) : ('pending' as const),
    records: recordsFor(domain, policy),
    checks: domain.checks,
    checkedAt: domain.checkedAt === null ? null : new Date(domain.checkedAt).toISOString(),
    verifiedAt: domain.verifiedAt === null ? null : new Date(domain.verifiedAt).toISOString(),
    createdAt: new Date(domain.createdAt).toISOString(),
  };
}
