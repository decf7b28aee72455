import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, spawnCollector, type CollectorProcess } from './collector-process.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * Issue 15, "Many collectors": three real collector processes (server.ts, as an operator runs
 * it) on one PostgreSQL schema, behind a round-robin proxy written here on 127.0.0.1, the way
 * a load balancer sits in front of them. Events spread over all three; a person identified on
 * one is read on another; one is SIGKILLed mid-load and every acknowledged event is stored, while
 * the other two keep serving. Like a Segment library, the client re-sends a batch it got no 200
 * for; the proxy, like nginx's `proxy_next_upstream error`, passes a refused connection to the next
 * upstream. Everything binds 127.0.0.1 on a free port and is killed in afterAll.
 */
const WRITE_KEY = 'hk_w_many_collectors_test_write_key';
const SECRET_KEY = 'hk_s_many_collectors_test_secret_key_0000';
const BASIC = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const EVENTS_PER_BATCH = 20;
const SENDERS = 6;
const TIMEOUT = 90_000;

const url = TEST_DATABASE_URL;
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  killAll(children);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

type Collector = CollectorProcess;

/** One collector of the installation; three starting at once on a busy machine get 30 s. */
const startCollector = (databaseUrl: string, schema: string): Promise<Collector> =>
  spawnCollector(
    {
      HARK_DATABASE_URL: databaseUrl,
      HARK_DATABASE_SCHEMA: schema,
      HARK_WRITE_KEY: WRITE_KEY,
      HARK_SECRET_KEY: SECRET_KEY,
      HARK_GEO: 'off',
    },
    children,
    { startTimeoutMs: 30_000 },
  );

// ---------------------------------------------------------------------------------------------
// The load balancer

/**
 * Round robin over the upstreams. A connection the upstream refused carried no byte of the
 * request, so it goes on to the next upstream; a request cut after it was sent answers 502
 * (the upstream may have stored it), and the client decides to re-send.
 */
async function startProxy(ports: number[]) {
  const served = ports.map(() => 0);
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: 16 }));
  const failed = ports.map(() => 0);
  let next = 0;
  const forward = (index: number, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, triesLeft: number): void => {
    const upstream = http.request(
      { host: '127.0.0.1', port: ports[index], path: req.url, method: req.method, headers: req.headers, agent: agents[index] },
      (answer) => {
        served[index]!++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      failed[index]!++;
      if (res.headersSent) return res.destroy();
      if (error.code === 'ECONNREFUSED' && triesLeft > 1) return forward((index + 1) % ports.length, req, body, res, triesLeft - 1);
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream ${index}: ${error.code ?? error.message}`);
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = next;
      next = (next + 1) % ports.length;
      forward(index, req, Buffer.concat(chunks), res, ports.length);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as net.AddressInfo).port,
    served,
    failed,
    close: async () => {
      for (const agent of agents) agent.destroy();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The client

function request(port: number, method: string, path: string, body?: unknown, authorization = BASIC): Promise<{ status: number; json: unknown }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((done) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), authorization } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => done({ status: 0, json: null }));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: unknown = raw;
          try {
            json = JSON.parse(raw);
          } catch {
            // Not JSON (a 502 from the proxy): kept as text.
          }
          done({ status: res.complete ? (res.statusCode ?? 0) : 0, json });
        });
      },
    );
    req.on('error', () => done({ status: 0, json: null }));
    req.setTimeout(20_000, () => req.destroy());
    req.end(text);
  });
}

const admin = (port: number, path: string) => request(port, 'GET', path, undefined, `Bearer ${SECRET_KEY}`);

interface Batch {
  ids: string[];
  body: unknown;
  /** Attempts until the 200 (a 502 or a cut answer is re-sent, as the App's queue does). */
  attempts: number;
  acked: boolean;
  ackedAfterKill: boolean;
}

function makeBatch(sender: number, n: number): { ids: string[]; body: unknown } {
  const visitor = `anon-${sender}-${n % 7}`;
  const batch = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const messageId = `mc-${sender}-${n}-${i}`;
    if (i === 0 && n % 4 === 0) return { type: 'identify', messageId, anonymousId: visitor, userId: `user-${sender}-${n % 7}`, traits: { plan: n % 2 ? 'pro' : 'free' } };
    if (i % 5 === 0) return { type: 'page', messageId, anonymousId: visitor, properties: { path: '/pricing' } };
    return { type: 'track', messageId, anonymousId: visitor, event: 'Clicked', properties: { button: `b${i}` } };
  });
  return { ids: batch.map((event) => event.messageId), body: { batch } };
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 10));
  }
}

// ---------------------------------------------------------------------------------------------

if (!url) {
  warnPostgresSkipped('Many collectors on one PostgreSQL');
  describe.skip(`Many collectors on one PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('three collector processes behind a round-robin proxy', () => undefined);
  });
} else {
  describe('Many collectors on one PostgreSQL (three processes behind a round-robin proxy)', () => {
    it(
      'spreads events over all three, reads on one what another identified, and loses no acknowledged event when one is SIGKILLed mid-load',
      async () => {
        const schema = freshSchema();
        cleanups.push(() => dropSchema(url, schema));
        // The first one migrates; the others start together and find the schema current.
        const first = await startCollector(url, schema);
        const collectors = [first, ...(await Promise.all([startCollector(url, schema), startCollector(url, schema)]))];
        const proxy = await startProxy(collectors.map((c) => c.port));
        cleanups.push(proxy.close);

        // Identify on one, send on a second, read on the third.
        const [a, b, c] = collectors as [Collector, Collector, Collector];
        expect((await request(a.port, 'POST', '/v1/batch', { batch: [{ type: 'identify', messageId: 'who-1', anonymousId: 'anon-who', userId: 'user-who', traits: { name: 'Ada' } }] })).status).toBe(200);
        expect((await request(b.port, 'POST', '/v1/batch', { batch: [{ type: 'track', messageId: 'who-2', anonymousId: 'anon-who', event: 'Opened' }] })).status).toBe(200);
        const read = await admin(c.port, '/api/v1/people/lookup?anonymousId=anon-who');
        expect(read.status).toBe(200);
        expect(read.json).toMatchObject({ userId: 'user-who', traits: { name: 'Ada' }, counts: { events: 2 } });

        // The load, through the proxy; each batch is re-sent until it gets its 200.
        let killed = false;
        let stop = false;
        const batches: Batch[] = [];
        const senders = Array.from({ length: SENDERS }, async (_, sender) => {
          for (let n = 0; !stop; n++) {
            const { ids, body } = makeBatch(sender, n);
            const batch: Batch = { ids, body, attempts: 0, acked: false, ackedAfterKill: false };
            batches.push(batch);
            while (!batch.acked && batch.attempts < 20) {
              batch.attempts++;
              const answer = await request(proxy.port, 'POST', '/v1/batch', body);
              const summary = answer.json as { accepted?: number; duplicates?: number } | null;
              if (answer.status === 200 && (summary?.accepted ?? 0) + (summary?.duplicates ?? 0) === ids.length) {
                batch.acked = true;
                batch.ackedAfterKill = killed;
              } else {
                await new Promise((wait) => setTimeout(wait, 20));
              }
            }
          }
        });
        const acked = () => batches.filter((batch) => batch.acked).length;
        await until(() => acked() >= 45, 40_000, `45 acknowledged batches (so far ${acked()})`);
        const servedBeforeKill = [...proxy.served];
        collectors[1]!.child.kill('SIGKILL');
        killed = true;
        await until(() => batches.filter((batch) => batch.ackedAfterKill).length >= 45, 40_000, 'the other two to acknowledge 45 batches after the kill');
        stop = true;
        await Promise.all(senders);

        // Spread over all three before the kill; served by the other two after it.
        for (const count of servedBeforeKill) expect(count).toBeGreaterThan(5);
        expect(proxy.served[0]! - servedBeforeKill[0]!).toBeGreaterThan(10);
        expect(proxy.served[2]! - servedBeforeKill[2]!).toBeGreaterThan(10);
        // The dead one stayed in the rotation: the proxy met it, and the client's re-sends went around it.
        expect(proxy.failed[1]).toBeGreaterThan(0);
        // Every batch got its 200 in the end (the client's re-send went to a living collector).
        expect(batches.filter((batch) => !batch.acked).map((batch) => batch.ids[0])).toEqual([]);

        // Every acknowledged event is stored, exactly once, even those whose first attempt the kill cut.
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const ids = batches.flatMap((batch) => batch.ids);
          const { rows } = await client.query<{ message_id: string; n: string }>(
            `SELECT message_id, count(*) AS n FROM "${schema}".events WHERE message_id = ANY($1) GROUP BY message_id`,
            [ids],
          );
          const stored = new Map(rows.map((row) => [row.message_id, Number(row.n)]));
          expect(ids.filter((id) => stored.get(id) !== 1), 'acknowledged messageIds not stored exactly once').toEqual([]);
          // Each visitor of the load ended as one person, whichever collector saw each of their events.
          const people = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".identities WHERE type = 'anonymous' AND value LIKE 'anon-%-%'`);
          const visitors = new Set(batches.map((batch) => ((batch.body as { batch: { anonymousId: string }[] }).batch[0]!.anonymousId)));
          expect(Number(people.rows[0]!.n)).toBe(visitors.size);
        } finally {
          await client.end();
        }
        // The surviving collectors still answer reads of what the killed one stored.
        expect((await admin(c.port, '/api/v1/people/lookup?anonymousId=anon-0-0')).status).toBe(200);
      },
      TIMEOUT,
    );
  });
}
