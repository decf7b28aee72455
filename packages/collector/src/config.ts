import { resolve } from 'node:path';
import type { GeoMode } from './geo/geo-locator.js';
import type { RateLimit } from './http/rate-limit.js';

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  synchronous: 'full' | 'normal';
  writeKey?: string;
  secretKey?: string;
  sdkDir: string;
  demoDir: string;
  rateLimits: { perClient?: RateLimit; perWriteKey?: RateLimit; admin?: RateLimit };
  trustProxy: boolean;
  /** HARK_GEO: city (default), country, or off. */
  geo: GeoMode;
}

/** `HARK_RATE_CLIENT=50` → 50 requests/s sustained, bursts of 4× that. `off` disables one limit. */
function readRate(value: string | undefined, fallback: number, name: string): RateLimit | undefined {
  if (value?.toLowerCase() === 'off') return undefined;
  const perSecond = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new Error(`${name} must be a positive number of requests per second, or "off".`);
  return { perSecond, burst: Math.ceil(perSecond * 4) };
}

/** Reads the environment once, at start. Everything else receives its settings from here. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}".`);
  const synchronous = (env.HARK_SYNCHRONOUS ?? 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error('HARK_SYNCHRONOUS must be "full" or "normal".');
  const geo = (env.HARK_GEO ?? 'city').toLowerCase();
  if (geo !== 'city' && geo !== 'country' && geo !== 'off') throw new Error('HARK_GEO must be "city", "country" or "off".');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dbPath: resolve(env.HARK_DB ?? resolve(root, 'data', 'hark.db')),
    synchronous,
    ...(env.HARK_WRITE_KEY ? { writeKey: env.HARK_WRITE_KEY } : {}),
    ...(env.HARK_SECRET_KEY ? { secretKey: env.HARK_SECRET_KEY } : {}),
    rateLimits:
      env.HARK_RATE_LIMIT?.toLowerCase() === 'off'
        ? {}
        : {
            perClient: readRate(env.HARK_RATE_CLIENT, 50, 'HARK_RATE_CLIENT'),
            perWriteKey: readRate(env.HARK_RATE_KEY, 5000, 'HARK_RATE_KEY'),
            admin: readRate(env.HARK_RATE_ADMIN, 20, 'HARK_RATE_ADMIN'),
          },
    trustProxy: env.HARK_TRUST_PROXY === '1' || env.HARK_TRUST_PROXY === 'true',
    geo,
    sdkDir: resolve(root, 'packages', 'sdk', 'dist'),
    demoDir: resolve(root, 'examples', 'demo'),
  };
}
