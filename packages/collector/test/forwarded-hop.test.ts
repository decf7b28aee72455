import { describe, expect, it } from 'vitest';
import { trustedHop } from '../src/http/forwarded-hop.js';

describe('the forwarding entry a proxy of ours wrote', () => {
  it('is not read at all without a trusted proxy', () => {
    expect(trustedHop('https', false)).toBeUndefined();
    expect(trustedHop('https', 0)).toBeUndefined();
  });

  it('is the entry as many places from the right as there are proxies', () => {
    expect(trustedHop('evil.test, hark.acme.test', true)).toBe('hark.acme.test');
    expect(trustedHop('evil.test, hark.acme.test', 1)).toBe('hark.acme.test');
    expect(trustedHop('spoof, public.example, 10.0.0.2', 2)).toBe('public.example');
  });

  it('is the left-most when the request skipped outer proxies, and nothing for an empty header', () => {
    expect(trustedHop('https', 3)).toBe('https');
    expect(trustedHop(' , ', 1)).toBeUndefined();
    expect(trustedHop(undefined, 1)).toBeUndefined();
  });
});
