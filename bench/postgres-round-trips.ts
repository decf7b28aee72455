import pg from 'pg';
import { createApp } from '../packages/collector/src/app.js';
import { openPostgresStore } from '../packages/collector/src/store/postgres/postgres-store.js';
import { messageDefinitions } from './messages.js';
import { createRandom } from './prng.js';
import { messageId, ORIGIN, PATHS, wireEvent } from './traffic.js';

/**
 * How many statements (each one round trip to PostgreSQL) a 20-event batch and an eligibility
 * poll cost, and how long each takes serially in-process: a probe, not a benchmark, so it runs
 * in seconds and is not part of `npm run bench`. It counts calls of pg's `Client.prototype.query`
 * (every pooled client's) while the collector's own app answers requests in-process.
 *
 *   HARK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/postgres-round-trips.ts
 *
 * `--explain` also prints EXPLAIN ANALYZE of the eligibility statement for one seeded visitor.
 */

const url = process.env.HARK_BENCH_DATABASE_URL ?? process.env.HARK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCHES = 60;
const POLLS = 300;
const VISITORS = 200;

const statements: string[] = [];
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string; name?: string };
  statements.push(typeof first === 'string' ? first : (first?.name ? `[${first.name}] ` : '') + (first?.text ?? ''));
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

const schema = `hark_probe_${Date.now().toString(36)}`;
const store = await openPostgresStore({ url, schema });
try {
  const { project } = await store.ensureDefaultProject({});
  const app = createApp({ store, logError: (error) => console.error(error) });
  const random = createRandom(7);
  const now = new Date().toISOString();
  const batch = (index: number): string => {
    const events = Array.from({ length: 20 }, () => wireEvent(random, messageId(random, `probe${index}`), `visitor-${random.skewed(VISITORS)}`, now));
    return `{"batch":[${events.join(',')}],"sentAt":"${now}","writeKey":"${project.writeKey}"}`;
  };
  const post = async (body: string) => {
    const res = await app.request('/v1/batch', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN }, body });
    if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
  };

  // Warm: the visitors exist, as after the bench's warm-up round.
  for (let i = 0; i < 20; i++) await post(batch(-i - 1));
  statements.length = 0;
  let started = performance.now();
  for (let i = 0; i < BATCHES; i++) await post(batch(i));
  const ingestMs = (performance.now() - started) / BATCHES;
  const perBatch = statements.length / BATCHES;
  const shapes = tally(statements);
  console.log(`ingest: ${perBatch.toFixed(1)} statements per 20-event batch, ${ingestMs.toFixed(1)} ms per batch serially`);
  for (const [text, count] of shapes.slice(0, 12)) console.log(`  ${(count / BATCHES).toFixed(2)}  ${text}`);

  for (const definition of messageDefinitions(createRandom(142), 50)) {
    const res = await app.request('/api/v1/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${project.secretKey!}`, 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    if (res.status !== 201) throw new Error(`A probe message was refused: ${await res.text()}`);
  }
  const poll = (i: number) => {
    const params = new URLSearchParams({ writeKey: project.writeKey, anonymousId: i % 7 === 0 ? `first-visit-${i}` : `visitor-${random.skewed(VISITORS)}`, url: `${ORIGIN}${random.pick(PATHS)}` });
    return app.request(`/v1/messages?${params}`, { headers: { origin: ORIGIN } });
  };
  for (let i = 0; i < 20; i++) await poll(i);
  statements.length = 0;
  started = performance.now();
  for (let i = 0; i < POLLS; i++) {
    const res = await poll(i);
    if (res.status !== 200) throw new Error(`poll answered ${res.status}: ${await res.text()}`);
  }
  const pollMs = (performance.now() - started) / POLLS;
  console.log(`eligibility: ${(statements.length / POLLS).toFixed(2)} statements per poll, ${pollMs.toFixed(2)} ms per poll serially`);
  for (const [text, count] of tally(statements).slice(0, 8)) console.log(`  ${(count / POLLS).toFixed(2)}  ${text}`);

  if (process.argv.includes('--explain')) {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    const person = (await client.query<{ id: string }>("SELECT person_id AS id FROM identities WHERE type = 'anonymous' AND value = 'visitor-0'")).rows[0]!;
    console.log(`seeded: ${(await client.query('SELECT count(*) FROM events')).rows[0].count} events; visitor-0 is ${person.id}`);
    await client.end();
  }
} finally {
  await store.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

/** Statement texts by how often they ran, most first, cut to one line. */
function tally(texts: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const line = text.replace(/\s+/g, ' ').slice(0, 110);
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}
