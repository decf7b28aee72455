import { join } from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { closedLoop, httpRequest, openLoop, type LoadResult } from './load.js';
import { messageDefinitions } from './messages.js';
import { BENCH_KEYS, startCollector, tempDir, type Server } from './processes.js';
import { createRandom, type Random } from './prng.js';
import { median } from './stats.js';
import { acceptedAll, ingestRequests, ORIGIN, PATHS, TRACK_EVENTS } from './traffic.js';

/**
 * The PostgreSQL store (issue 15), in one run beside SQLite on the same machine:
 * - batched ingest (20 events per request, closed loop), SQLite and PostgreSQL in alternating
 *   rounds, so the ratio is of figures taken under the same load on the machine;
 * - eligibility (`GET /v1/messages`) on PostgreSQL at a fixed rate, open loop, over the people
 *   the ingest rounds made and 50 live messages;
 * - three collectors on one schema behind a round-robin TCP proxy (per connection, as an L4 load
 *   balancer does), against one collector through the same proxy.
 * The database is HARK_BENCH_DATABASE_URL, else HARK_TEST_DATABASE_URL, else the local test
 * one; each scenario uses a schema of its own, dropped at the end.
 */

export interface PostgresOptions {
  seed: number;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
  eligibility: { rate: number; durationMs: number; warmupMs: number; messages: number };
}

export interface PostgresResult {
  databaseUrl: string;
  serverVersion: string;
  rounds: number;
  connections: number;
  /** Batched ingest, events/s, medians over the rounds. */
  sqliteBatched: number;
  postgresBatched: number;
  /** Median over the rounds of PostgreSQL ÷ SQLite in that round. */
  ratio: number;
  sqliteP99: number;
  postgresP99: number;
  eligibility: { rate: number; result: LoadResult; withMessages: number };
  /** Batched events/s through the proxy: one collector behind it, then three. */
  many: { one: number; three: number; oneP99: number; threeP99: number; errors: number; servedBy: number[] };
  stored: { expected: number; found: number };
}

const BATCH = 20;
const VISITORS = 5_000;

export const benchDatabaseUrl = (): string =>
  process.env.HARK_BENCH_DATABASE_URL ?? process.env.HARK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function measurePostgres(options: PostgresOptions, log: (line: string) => void): Promise<PostgresResult> {
  const url = benchDatabaseUrl();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const schemas: string[] = [];
  const schema = (label: string) => {
    const name = `hark_bench_${label}_${Date.now().toString(36)}`;
    schemas.push(name);
    return name;
  };
  const servers: Server[] = [];
  const start = async (db: { dbPath?: string; databaseUrl?: string; schema?: string; env?: Record<string, string> }) => {
    const server = await startCollector({ dbPath: db.dbPath ?? join(tempDir('pg-unused'), 'hark.db'), ...(db.databaseUrl ? { databaseUrl: db.databaseUrl, schema: db.schema! } : {}), ...(db.env ? { env: db.env } : {}) });
    servers.push(server);
    return server;
  };
  try {
    const serverVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    let round = 0;
    const batched = (port: number, runId: string, durationMs: number, connections = options.connections) =>
      closedLoop({
        target: { port },
        connections,
        durationMs,
        request: ingestRequests({ random: createRandom(options.seed + round), runId: `${runId}${round}`, size: BATCH, visitors: VISITORS, anonymousPrefix: 'visitor-' }),
        check: acceptedAll(BATCH),
      });

    // 1. Batched ingest, SQLite and PostgreSQL alternating.
    const mainSchema = schema('ingest');
    const sqlite = await start({ dbPath: join(tempDir('pg-sqlite'), 'hark.db') });
    const postgres = await start({ databaseUrl: url, schema: mainSchema });
    await batched(sqlite.port, 'warm-sqlite', options.warmupMs);
    await batched(postgres.port, 'warm-pg', options.warmupMs);
    // The same store without its group commit (HARK_PG_GROUP_COMMIT=off), in the same rounds: what the group commit buys.
    const solo = await start({ databaseUrl: url, schema: schema('solo'), env: { HARK_PG_GROUP_COMMIT: 'off' } });
    await batched(solo.port, 'warm-solo', options.warmupMs);
    const rounds: { sqlite: LoadResult; postgres: LoadResult; solo: LoadResult }[] = [];
    for (round = 0; round < options.rounds; round++) {
      const s = await batched(sqlite.port, 'sqlite', options.durationMs);
      const p = await batched(postgres.port, 'pg', options.durationMs);
      const o = await batched(solo.port, 'solo', options.durationMs);
      rounds.push({ sqlite: s, postgres: p, solo: o });
      log(`round ${round + 1}: batched ingest SQLite ${(s.rate * BATCH).toFixed(0)} events/s (p99 ${s.latency.p99.toFixed(1)} ms), PostgreSQL ${(p.rate * BATCH).toFixed(0)} events/s (p99 ${p.latency.p99.toFixed(1)} ms): ${((p.rate / s.rate) * 100).toFixed(0)}%; without group commit ${(o.rate * BATCH).toFixed(0)} events/s (p99 ${o.latency.p99.toFixed(1)} ms): ${((o.rate / s.rate) * 100).toFixed(0)}%`);
    }
    await sqlite.stop();
    await solo.stop();

    // 2. Eligibility on PostgreSQL, over the visitors ingest made and live messages.
    const random = createRandom(options.seed + 100);
    for (const definition of messageDefinitions(random, options.eligibility.messages)) {
      const res = await fetch(`http://127.0.0.1:${postgres.port}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_KEYS.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(definition),
      });
      if (res.status !== 201) throw new Error(`A bench message was refused: ${await res.text()}`);
    }
    let answers = 0;
    let withMessages = 0;
    const check = (status: number, body: Buffer) => {
      answers++;
      if (body.includes('"deliveryId"')) withMessages++;
      return status === 200 && body.subarray(0, 13).toString() === '{"messages":[';
    };
    const e = options.eligibility;
    const connections = Math.max(16, Math.ceil(e.rate / 100));
    await openLoop({ target: { port: postgres.port }, rate: e.rate, durationMs: e.warmupMs, connections, request: eligibilityRequest(createRandom(options.seed + 101)), check });
    answers = withMessages = 0;
    const eligibility = await openLoop({ target: { port: postgres.port }, rate: e.rate, durationMs: e.durationMs, connections, request: eligibilityRequest(createRandom(options.seed + 102)), check });
    log(`eligibility on PostgreSQL at ${e.rate}/s: p50 ${eligibility.latency.p50.toFixed(2)} ms, p99 ${eligibility.latency.p99.toFixed(2)} ms, ${eligibility.errors} errors`);

    // Every acknowledged event of the ingest rounds is in the database.
    const expected = rounds.reduce((sum, r) => sum + (r.postgres.requests - r.postgres.errors) * BATCH, 0);
    const found = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${mainSchema}".events WHERE message_id LIKE 'pg%'`)).rows[0]!.n);
    await postgres.stop();

    // 3. Many collectors on one schema, behind a round-robin proxy.
    const manySchema = schema('many');
    const first = await start({ databaseUrl: url, schema: manySchema });
    const others = await Promise.all([start({ databaseUrl: url, schema: manySchema }), start({ databaseUrl: url, schema: manySchema })]);
    const three = [first, ...others];
    const proxyOne = await roundRobin([first.port]);
    const proxyThree = await roundRobin(three.map((s) => s.port));
    try {
      await batched(proxyOne.port, 'warm-one', options.warmupMs);
      await batched(proxyThree.port, 'warm-three', options.warmupMs);
      const one: LoadResult[] = [];
      const many: LoadResult[] = [];
      for (round = 0; round < options.rounds; round++) {
        one.push(await batched(proxyOne.port, 'one', options.durationMs));
        many.push(await batched(proxyThree.port, 'three', options.durationMs));
        log(`round ${round + 1}: through the proxy, 1 collector ${(one.at(-1)!.rate * BATCH).toFixed(0)} events/s, 3 collectors ${(many.at(-1)!.rate * BATCH).toFixed(0)} events/s`);
      }
      return {
        databaseUrl: url.replace(/:[^:@/]+@/, ':***@'),
        serverVersion,
        rounds: options.rounds,
        connections: options.connections,
        sqliteBatched: median(rounds.map((r) => r.sqlite.rate * BATCH)),
        postgresBatched: median(rounds.map((r) => r.postgres.rate * BATCH)),
        ratio: median(rounds.map((r) => r.postgres.rate / r.sqlite.rate)),
        sqliteP99: median(rounds.map((r) => r.sqlite.latency.p99)),
        postgresP99: median(rounds.map((r) => r.postgres.latency.p99)),
        eligibility: { rate: e.rate, result: eligibility, withMessages: answers ? withMessages / answers : 0 },
        many: {
          one: median(one.map((r) => r.rate * BATCH)),
          three: median(many.map((r) => r.rate * BATCH)),
          oneP99: median(one.map((r) => r.latency.p99)),
          threeP99: median(many.map((r) => r.latency.p99)),
          errors: [...one, ...many].reduce((sum, r) => sum + r.errors, 0),
          servedBy: proxyThree.connectionsPer,
        },
        stored: { expected, found },
      };
    } finally {
      await proxyOne.close();
      await proxyThree.close();
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

/** Known visitors (the ingest rounds made `visitor-0` … `visitor-4999`) and some first visits. */
function eligibilityRequest(random: Random): (index: number) => Buffer {
  return (index) => {
    const params = new URLSearchParams({ writeKey: BENCH_KEYS.writeKey });
    params.set('anonymousId', random.chance(0.85) ? `visitor-${random.skewed(VISITORS)}` : `first-visit-${index}`);
    params.set('url', `${ORIGIN}${random.pick(PATHS)}`);
    if (random.chance(0.1)) params.set('event', random.pick(TRACK_EVENTS));
    return httpRequest('GET', `/v1/messages?${params}`, { Origin: ORIGIN });
  };
}

/** An L4 load balancer: each new connection goes to the next upstream, bytes piped both ways. */
async function roundRobin(ports: number[]) {
  const connectionsPer = ports.map(() => 0);
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    const index = next;
    next = (next + 1) % ports.length;
    connectionsPer[index]!++;
    const upstream = net.connect(ports[index]!, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as net.AddressInfo).port,
    connectionsPer,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
