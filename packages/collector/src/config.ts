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
  /** HARK_PG_GROUP_COMMIT=on|off (default on): PostgreSQL ingest units share transactions (postgres-group-commit.ts); off is for comparing. */
  pgGroupCommit: boolean;
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
  /**
   * The durable job runner in this process (HARK_RUNNER=on|off, default on), so a team can run
   * it on some instances only; HARK_RUNNER_POLL_MS, HARK_RUNNER_BATCH, HARK_RUNNER_CONCURRENCY,
   * HARK_RUNNER_LEASE_MS (how long a claimed job is held before another runner may retry it).
   */
  runner: { enabled: boolean; pollMs: number; batchSize: number; concurrency: number; leaseMs: number };
  /**
   * Email (docs/EMAIL.md). HARK_SMTP_URL (smtp://user:pass@host:587, smtps://… for TLS from the
   * start, ?requireTLS=true to insist on STARTTLS); unset, mail goes to the local outbox.
   * HARK_PUBLIC_URL: the origin links in mail point at. HARK_EMAIL_SPF_INCLUDE and
   * HARK_EMAIL_RETURN_PATH: the provider's SPF include and bounce host, for the DNS records.
   */
  email: { smtpUrl: string | null; publicUrl: string | null; spfInclude: string | null; returnPathHost: string | null };
  /** HARK_WEBHOOKS_ALLOW_PRIVATE=1: outbound webhooks may target private and loopback addresses. */
  webhooksAllowPrivate: boolean;
}

/** A positive whole number from the environment, or the default when unset. */
function readCount(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new Error(`${name} must be a positive whole number, not "${env[name]}".`);
  return value;
}

function readRunner(env: NodeJS.ProcessEnv): Config['runner'] {
  const mode = (env.HARK_RUNNER ?? 'on').trim().toLowerCase();
  if (mode !== 'on' && mode !== 'off') throw new Error(`HARK_RUNNER must be "on" or "off", not "${env.HARK_RUNNER}".`);
  return {
    enabled: mode === 'on',
    pollMs: readCount(env, 'HARK_RUNNER_POLL_MS', 1000),
    batchSize: readCount(env, 'HARK_RUNNER_BATCH', 50),
    concurrency: readCount(env, 'HARK_RUNNER_CONCURRENCY', 8),
    leaseMs: readCount(env, 'HARK_RUNNER_LEASE_MS', 60_000),
  };
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

function readEmail(env: NodeJS.ProcessEnv): Config['email'] {
  const smtpUrl = env.HARK_SMTP_URL?.trim() || null;
  if (smtpUrl && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) throw new Error('HARK_SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@smtp.example.com:587.');
  const publicUrl = env.HARK_PUBLIC_URL?.trim().replace(/\/+$/, '') || null;
  if (publicUrl && !/^https?:\/\/[^/]+$/.test(publicUrl)) throw new Error('HARK_PUBLIC_URL must be an origin such as https://hark.example.com (no path).');
  return {
    smtpUrl,
    publicUrl,
    spfInclude: env.HARK_EMAIL_SPF_INCLUDE?.trim() || null,
    returnPathHost: env.HARK_EMAIL_RETURN_PATH?.trim() || null,
  };
}

/** Reads the environment once, at start. Everything else receives its settings from here. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}".`);
  const synchronous = (env.HARK_SYNCHRONOUS ?? 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error('HARK_SYNCHRONOUS must be "full" or "normal".');
  const databaseUrl = env.HARK_DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('HARK_DATABASE_URL must be a postgres:// URL (or unset, for the SQLite file).');
  const pgGroupCommit = (env.HARK_PG_GROUP_COMMIT ?? 'on').toLowerCase();
  if (pgGroupCommit !== 'on' && pgGroupCommit !== 'off') throw new Error('HARK_PG_GROUP_COMMIT must be "on" or "off".');
  if (Boolean(env.HARK_ADMIN_EMAIL) !== Boolean(env.HARK_ADMIN_PASSWORD)) throw new Error('Set both HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD, or neither.');
  const geo = (env.HARK_GEO ?? 'city').toLowerCase();
  if (geo !== 'city' && geo !== 'country' && geo !== 'off') throw new Error('HARK_GEO must be "city", "country" or "off".');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dbPath: resolve(env.HARK_DB ?? resolve(root, 'data', 'hark.db')),
    synchronous,
    pgGroupCommit: pgGroupCommit === 'on',
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
    runner: readRunner(env),
    email: readEmail(env),
    webhooksAllowPrivate: ['1', 'true', 'on'].includes((env.HARK_WEBHOOKS_ALLOW_PRIVATE ?? '').trim().toLowerCase()),
    sdkDir: resolve(root, 'packages', 'sdk', 'dist'),
    demoDir: resolve(root, 'examples', 'demo'),
    consoleDir: resolve(root, 'packages', 'console', 'dist'),
  };
}
