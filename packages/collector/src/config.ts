import { resolve } from 'node:path';
import type { GeoMode } from './geo/geo-locator.js';
import type { RateLimit } from './http/rate-limit.js';

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  /** HARK_DATABASE_URL: a postgres:// URL puts the store on PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  /** HARK_DATABASE_SCHEMA: the PostgreSQL schema to run in (created if missing); unset, the connection's search_path. */
  databaseSchema?: string;
  synchronous: 'full' | 'normal';
  writeKey?: string;
  secretKey?: string;
  sdkDir: string;
  demoDir: string;
  consoleDir: string;
  /** HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD: the first admin, created at start while the team is empty. */
  admin?: { email: string; password: string };
  rateLimits: { perClient?: RateLimit; perWriteKey?: RateLimit; admin?: RateLimit };
  /** Proxies in front of the collector whose X-Forwarded-For entries are believed (0: none). */
  trustProxy: number;
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

/** `HARK_TRUST_PROXY`: a number of proxies; `true` is one, unset / `false` / `0` none. */
function readTrustProxy(value: string | undefined): number {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'false' || text === 'off') return 0;
  if (text === 'true') return 1;
  const proxies = Number(text);
  if (!/^\d+$/.test(text) || proxies > 32) {
    throw new Error(`HARK_TRUST_PROXY must be the number of proxies in front of the collector (1 for one), not "${value}".`);
  }
  return proxies;
}

/** Reads the environment once, at start. Everything else receives its settings from here. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}".`);
  const synchronous = (env.HARK_SYNCHRONOUS ?? 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error('HARK_SYNCHRONOUS must be "full" or "normal".');
  const databaseUrl = env.HARK_DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('HARK_DATABASE_URL must be a postgres:// URL (or unset, for the SQLite file).');
  if (Boolean(env.HARK_ADMIN_EMAIL) !== Boolean(env.HARK_ADMIN_PASSWORD)) throw new Error('Set both HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD, or neither.');
  const geo = (env.HARK_GEO ?? 'city').toLowerCase();
  if (geo !== 'city' && geo !== 'country' && geo !== 'off') throw new Error('HARK_GEO must be "city", "country" or "off".');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dbPath: resolve(env.HARK_DB ?? resolve(root, 'data', 'hark.db')),
    synchronous,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(databaseUrl && env.HARK_DATABASE_SCHEMA?.trim() ? { databaseSchema: env.HARK_DATABASE_SCHEMA.trim() } : {}),
    ...(env.HARK_WRITE_KEY ? { writeKey: env.HARK_WRITE_KEY } : {}),
    ...(env.HARK_SECRET_KEY ? { secretKey: env.HARK_SECRET_KEY } : {}),
    ...(env.HARK_ADMIN_EMAIL && env.HARK_ADMIN_PASSWORD ? { admin: { email: env.HARK_ADMIN_EMAIL, password: env.HARK_ADMIN_PASSWORD } } : {}),
    rateLimits:
      env.HARK_RATE_LIMIT?.toLowerCase() === 'off'
        ? {}
        : {
            perClient: readRate(env.HARK_RATE_CLIENT, 50, 'HARK_RATE_CLIENT'),
            perWriteKey: readRate(env.HARK_RATE_KEY, 5000, 'HARK_RATE_KEY'),
            admin: readRate(env.HARK_RATE_ADMIN, 20, 'HARK_RATE_ADMIN'),
          },
    trustProxy: readTrustProxy(env.HARK_TRUST_PROXY),
    geo,
    sdkDir: resolve(root, 'packages', 'sdk', 'dist'),
    demoDir: resolve(root, 'examples', 'demo'),
    consoleDir: resolve(root, 'packages', 'console', 'dist'),
  };
}
