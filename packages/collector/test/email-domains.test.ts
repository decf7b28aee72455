import { describe, expect, it } from 'vitest';
import { checkDomain, newDkimKey, normalizeDomain, recordsFor, type DnsResolver } from '../src/email/sending-domains.js';
import type { SendingDomain } from '../src/store/email-store.js';

const key = newDkimKey();
const domain: SendingDomain = { id: 'd1', projectId: 'p1', domain: 'acme.test', ...key, verified: false, checks: [], checkedAt: null, verifiedAt: null, createdAt: 0 };
const policy = { spfInclude: 'spf.provider.test', returnPathHost: 'bounces.provider.test' };

function resolver(txt: Record<string, string[][]>, cname: Record<string, string[]>): DnsResolver {
  const missing = () => Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return {
    resolveTxt: async (name) => txt[name] ?? Promise.reject(missing()),
    resolveCname: async (name) => cname[name] ?? Promise.reject(missing()),
  };
}

describe('sending domains', () => {
  it('asks for a DKIM TXT, an SPF include and a return-path CNAME with the provider set', () => {
    expect(recordsFor(domain, policy)).toEqual([
      { record: 'dkim', type: 'TXT', name: `${key.selector}._domainkey.acme.test`, value: `v=DKIM1; k=rsa; p=${key.publicKey}` },
      { record: 'spf', type: 'TXT', name: 'acme.test', value: 'v=spf1 include:spf.provider.test ~all' },
      { record: 'returnPath', type: 'CNAME', name: 'bounce.acme.test', value: 'bounces.provider.test' },
    ]);
    expect(recordsFor(domain, { spfInclude: null, returnPathHost: null }).map((r) => r.record)).toEqual(['dkim', 'spf']);
  });

  it('verifies when every record holds: DKIM split in 255-character strings, SPF merged into an existing record, CNAME with a trailing dot', async () => {
    const dkim = `v=DKIM1; k=rsa; p=${key.publicKey}`;
    const chunks = dkim.match(/.{1,255}/g)!;
    const dns = resolver(
      { [`${key.selector}._domainkey.acme.test`]: [chunks], 'acme.test': [['google-site-verification=x'], ['v=spf1 include:_spf.google.com include:spf.provider.test -all']] },
      { 'bounce.acme.test': ['Bounces.Provider.Test.'] },
    );
    const result = await checkDomain(domain, policy, dns);
    expect(result.checks.map((c) => [c.record, c.ok])).toEqual([
      ['dkim', true],
      ['spf', true],
      ['returnPath', true],
    ]);
    expect(result.verified).toBe(true);
  });

  it('stays pending and says what it found when a record is wrong or missing', async () => {
    const other = newDkimKey();
    const dns = resolver({ [`${key.selector}._domainkey.acme.test`]: [[`v=DKIM1; k=rsa; p=${other.publicKey}`]], 'acme.test': [['v=spf1 mx -all']] }, {});
    const result = await checkDomain(domain, policy, dns);
    expect(result.verified).toBe(false);
    expect(result.checks.map((c) => [c.record, c.ok, c.found.length])).toEqual([
      ['dkim', false, 1],
      ['spf', false, 1],
      ['returnPath', false, 0],
    ]);
  });

  it('takes a domain name in any case with a trailing dot, and refuses what is not one', () => {
    expect(normalizeDomain(' Mail.ACME.test. ')).toBe('mail.acme.test');
    expect(normalizeDomain('acme')).toBeNull();
    expect(normalizeDomain('a b.test')).toBeNull();
    expect(normalizeDomain('https://acme.test')).toBeNull();
  });
});
