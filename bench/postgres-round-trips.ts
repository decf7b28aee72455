import pg from 'pg';
import { createApp } from '../packages/collector/src/app.js';
import type { EventRule } from '../packages/collector/src/messages/conditions.js';
import { readFactsOneByOne, type FactsQuery } from '../packages/collector/src/messages/eligibility-facts.js';
import { ELIGIBILITY_FACTS_SQL, eligibilityFactsValues } from '../packages/collector/src/store/postgres/postgres-eligibility-facts.js';
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
 * `--identify` times identify (an anonymous visitor becoming a new user: a merge) for visitors
 * with 10 and with 20,000 stored events, alternating, on the same schema.
 * `--pools=10,32` then runs 32 batches at a time for 3 s on a store with each pool size, in
 * turn (events/s; in-process, so the load generator shares the collector's core).
 */

const url = process.env.HARK_BENCH_DATABASE_URL ?? process.env.HARK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCHES = 60;
const POLLS = 300;
const VISITORS = 200;

const statements: string[] = [];
/** Milliseconds from sending each statement to its answer, summed (serial runs: no overlap). */
let waitedMs = 0;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string; name?: string };
  statements.push(typeof first === 'string' ? first : (first?.name ? `[${first.name}] ` : '') + (first?.text ?? ''));
  const sent = performance.now();
  // pg-pool's `pool.query` passes a callback; a client's own `query` answers a promise.
  const callback = args.at(-1);
  if (typeof callback === 'function') {
    args[args.length - 1] = (...answer: unknown[]) => {
      waitedMs += performance.now() - sent;
      return (callback as (...a: unknown[]) => unknown)(...answer);
    };
  }
  const result = (original as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) void result.finally(() => (waitedMs += performance.now() - sent)).catch(() => undefined);
  return result;
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
  waitedMs = 0;
  let started = performance.now();
  for (let i = 0; i < BATCHES; i++) await post(batch(i));
  const ingestMs = (performance.now() - started) / BATCHES;
  const perBatch = statements.length / BATCHES;
  const shapes = tally(statements);
  console.log(`ingest: ${perBatch.toFixed(1)} statements per 20-event batch, ${ingestMs.toFixed(1)} ms per batch serially, ${(waitedMs / BATCHES).toFixed(1)} ms of it waiting for PostgreSQL`);
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
  waitedMs = 0;
  started = performance.now();
  for (let i = 0; i < POLLS; i++) {
    const res = await poll(i);
    if (res.status !== 200) throw new Error(`poll answered ${res.status}: ${await res.text()}`);
  }
  const pollMs = (performance.now() - started) / POLLS;
  console.log(`eligibility: ${(statements.length / POLLS).toFixed(2)} statements per poll, ${pollMs.toFixed(2)} ms per poll serially, ${(waitedMs / POLLS).toFixed(2)} ms of it waiting for PostgreSQL`);
  for (const [text, count] of tally(statements).slice(0, 8)) console.log(`  ${(count / POLLS).toFixed(2)}  ${text}`);

  // The same facts, the four reads one after the other against the one statement, alternating
  // on the same queries so both see the same load on the machine.
  const rules = new Map<string, EventRule>();
  for (const message of await store.messages.live(project.id)) {
    for (const rule of message.conditions.audience.events ?? []) {
      const since = rule.withinDays === undefined ? 0 : Date.now() - rule.withinDays * 86_400_000;
      rules.set(`${rule.event}|${since}`, { event: rule.event, since });
    }
  }
  const eventRules = [...rules.values()];
  const queries: FactsQuery[] = Array.from({ length: POLLS }, (_, i) => ({
    userId: null,
    anonymousId: i % 7 === 0 ? `first-visit-${i}` : `visitor-${random.skewed(VISITORS)}`,
    userVerified: false,
    eventRules,
  }));
  const spent = { oneByOne: 0, one: 0 };
  for (const query of queries) {
    let at = performance.now();
    await readFactsOneByOne(store.messages, project.id, query);
    spent.oneByOne += performance.now() - at;
    at = performance.now();
    await store.messages.eligibilityFacts(project.id, query);
    spent.one += performance.now() - at;
  }
  console.log(`eligibility facts (${eventRules.length} event rules): four reads ${(spent.oneByOne / POLLS).toFixed(2)} ms, one statement ${(spent.one / POLLS).toFixed(2)} ms per poll`);

  if (process.argv.includes('--explain')) {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    // A project with history: 20,000 more people with an identity each and 400,000 track events
    // (20 per person), so the planner has real tables to choose plans for.
    await client.query(`INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
      SELECT 'seed-' || g, $1, 'visitor', NULL, NULL, '{}', 0, 0, 0 FROM generate_series(1, 20000) g`, [project.id]);
    await client.query(`INSERT INTO identities (project_id, type, value, person_id, created_at)
      SELECT $1, 'anonymous', 'seed-visitor-' || g, 'seed-' || g, 0 FROM generate_series(1, 20000) g`, [project.id]);
    await client.query(`INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id, properties, traits, context, device, timestamp, sent_at, received_at)
      SELECT $1, 'seed-' || g, 'seed-' || (1 + g % 20000), 'track', ($2::text[])[1 + g % 12], 'seed-visitor-' || (1 + g % 20000), NULL, '{}', '{}', '{}', '{}', g, NULL, g
      FROM generate_series(1, 400000) g`, [project.id, eventRules.map((rule) => rule.event).concat(['Other']).slice(0, 12)]);
    // Deliveries (3 per seeded person), aliases and suppressions, so those tables are not empty either.
    await client.query(`INSERT INTO deliveries (id, project_id, message_id, person_id, created_at, shown_count, last_shown_at)
      SELECT 'seed-d-' || g, $1, 'seed-m-' || (g % 7), 'seed-' || (1 + g % 20000), g, 1, g FROM generate_series(1, 60000) g`, [project.id]);
    await client.query(`INSERT INTO person_aliases (alias_id, project_id, person_id) SELECT 'seed-alias-' || g, $1, 'seed-' || g FROM generate_series(1, 20000, 10) g`, [project.id]);
    await client.query(`INSERT INTO message_suppressions (project_id, type, value, created_at) SELECT $1, 'email', 'seed-' || g || '@example.com', 0 FROM generate_series(1, 5000) g`, [project.id]);
    await client.query('ANALYZE');
    const counts = (await client.query('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM people) AS people')).rows[0];
    console.log(`seeded: ${counts.events} events, ${counts.people} people`);
    const query = { ...queries[1]!, anonymousId: 'seed-visitor-71' };
    const values = eligibilityFactsValues(project.id, query);
    const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF) ${ELIGIBILITY_FACTS_SQL}`, values);
    console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
    // The plan a named statement keeps once PostgreSQL stops planning it per call.
    await client.query(`PREPARE facts(text, text, text, boolean, text[], bigint[]) AS ${ELIGIBILITY_FACTS_SQL}`);
    await client.query('SET plan_cache_mode = force_generic_plan');
    const literal = (value: unknown): string =>
      value === null ? 'NULL' : Array.isArray(value) ? `ARRAY[${value.map(literal).join(', ')}]` : typeof value === 'string' ? client.escapeLiteral(value) : String(value);
    const generic = await client.query(`EXPLAIN (ANALYZE, COSTS OFF) EXECUTE facts(${values.map((value, i) => (i === 5 ? `${literal(value)}::bigint[]` : i === 4 ? `${literal(value)}::text[]` : literal(value))).join(', ')})`);
    console.log('generic plan:');
    console.log(generic.rows.map((row) => row['QUERY PLAN']).join('\n'));
    // Left to itself (plan_cache_mode = auto), does PostgreSQL settle on the generic plan?
    await client.query('RESET plan_cache_mode');
    await client.query(`PREPARE auto_facts(text, text, text, boolean, text[], bigint[]) AS ${ELIGIBILITY_FACTS_SQL}`);
    for (let i = 0; i < 20; i++) {
      await client.query(`EXECUTE auto_facts(${values.map((value, n) => (n === 5 ? `${literal(value)}::bigint[]` : n === 4 ? `${literal(value)}::text[]` : literal(n === 2 ? `seed-visitor-${1 + i * 97}` : value))).join(', ')})`);
    }
    const cached = (await client.query("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'auto_facts'")).rows[0];
    console.log(`after 20 runs of the prepared statement: ${cached.generic_plans} generic, ${cached.custom_plans} custom plans`);
    await client.end();
  }

  if (process.argv.includes('--identify')) {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    const HISTORIES = [10, 20_000];
    const ROUNDS = 15;
    for (const history of HISTORIES) {
      await client.query(`INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
        SELECT 'hist-' || $2 || '-' || g, $1, 'visitor', NULL, NULL, '{}', 0, 0, 0 FROM generate_series(1, $3::int) g`, [project.id, history, ROUNDS]);
      await client.query(`INSERT INTO identities (project_id, type, value, person_id, created_at)
        SELECT $1, 'anonymous', 'hist-' || $2 || '-' || g, 'hist-' || $2 || '-' || g, 0 FROM generate_series(1, $3::int) g`, [project.id, history, ROUNDS]);
      await client.query(`INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id, properties, traits, context, device, timestamp, sent_at, received_at)
        SELECT $1, 'hist-' || $2 || '-' || p || '-' || g, 'hist-' || $2 || '-' || p, 'track', 'Searched', 'hist-' || $2 || '-' || p, NULL, '{}', '{}', '{}', '{}', g, NULL, g
        FROM generate_series(1, $3::int) p, generate_series(1, $2::int) g`, [project.id, history, ROUNDS]);
    }
    await client.query('ANALYZE');
    await client.end();
    const spent = new Map<number, number[]>(HISTORIES.map((history) => [history, []]));
    const counted = new Map<number, number>(HISTORIES.map((history) => [history, 0]));
    for (let k = 1; k <= ROUNDS; k++) {
      for (const history of HISTORIES) {
        const body = `{"batch":[{"type":"identify","messageId":"identify-${history}-${k}","anonymousId":"hist-${history}-${k}","userId":"user-${history}-${k}","traits":{"plan":"pro"}}],"writeKey":"${project.writeKey}"}`;
        const before = statements.length;
        const at = performance.now();
        await post(body);
        spent.get(history)!.push(performance.now() - at);
        counted.set(history, counted.get(history)! + statements.length - before);
        if (k === ROUNDS && history === HISTORIES.at(-1) && process.argv.includes('--verbose')) for (const text of statements.slice(before)) console.log(`  ${text.replace(/\s+/g, ' ').slice(0, 140)}`);
      }
    }
    for (const history of HISTORIES) {
      const times = spent.get(history)!.sort((a, b) => a - b);
      console.log(`identify (merge) of a visitor with ${history} events: median ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, ${(counted.get(history)! / ROUNDS).toFixed(1)} statements`);
    }
  }

  const pools = process.argv.find((arg) => arg.startsWith('--pools='))?.slice(8).split(',').map(Number) ?? [];
  for (const poolSize of pools) {
    const other = await openPostgresStore({ url, schema, poolSize });
    const otherApp = createApp({ store: other, logError: (error) => console.error(error) });
    let done = 0;
    const begun = performance.now();
    const until = begun + 3000;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (performance.now() < until) {
        const res = await otherApp.request('/v1/batch', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN }, body: batch(1000 + done) });
        if (res.status !== 200) throw new Error(`batch answered ${res.status}`);
        done++;
      }
    }));
    const seconds = (performance.now() - begun) / 1000;
    console.log(`pool ${poolSize}, 32 batches at a time: ${Math.round((done * 20) / seconds)} events/s (${done} batches in ${seconds.toFixed(1)} s)`);
    await other.close();
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
