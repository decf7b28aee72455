import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * "A 200 means stored" (issue 5, Durability), proved against the real process: the collector
 * is spawned as `node --import tsx packages/collector/src/server.ts` on 127.0.0.1, loaded by a
 * few concurrent senders, and then killed (SIGKILL) or stopped (SIGTERM) in the middle.
 * Loopback only; every child is killed in afterAll, even when a test fails.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WRITE_KEY = 'hk_w_durability_test_write_key';
const SECRET_KEY = 'hk_s_durability_test_secret_key_000000';
const BASIC = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const EVENTS_PER_BATCH = 25;
const SENDERS = 6;
const TIMEOUT = 30_000;

const dir = mkdtempSync(join(tmpdir(), 'hark-durability-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The collector process

interface Collector {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function startCollector(dbPath: string, port?: number): Promise<Collector> {
  const listenOn = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/collector/src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(listenOn),
      HOST: '127.0.0.1',
      HARK_DB: dbPath,
      HARK_WRITE_KEY: WRITE_KEY,
      HARK_SECRET_KEY: SECRET_KEY,
      HARK_SYNCHRONOUS: 'full',
      // The load comes from one address; this test is about durability, not rate limits.
      HARK_RATE_LIMIT: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the collector did not start in 15 s:\n${output.join('')}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('listening on')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the collector exited (${code ?? signal}) before listening:\n${output.join('')}`));
    });
  });
  return { child, port: listenOn, output, exited };
}

async function waitForExit(collector: Collector, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`the collector did not exit within ${ms} ms:\n${collector.output.join('')}`)), ms);
  });
  try {
    return await Promise.race([collector.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending, and what a sender can observe

/**
 * - `acked`: a complete 200 naming an outcome for every event (the only answer that promises storage);
 * - `answered`: any other complete answer;
 * - `notDelivered`: no byte of an answer — the connection was refused, or reset before the
 *   collector answered (a reused keep-alive socket, or one still in the listen backlog);
 * - `cut`: an answer began and did not finish: what a drain must never produce.
 */
type Outcome =
  | { kind: 'acked' }
  | { kind: 'answered'; status: number; text: string }
  | { kind: 'notDelivered'; code: string; reusedSocket: boolean }
  | { kind: 'cut'; status: number };

function postBatch(port: number, agent: http.Agent | false, body: string, events: number): Promise<Outcome> {
  return new Promise((done) => {
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        done(outcome);
      }
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/batch',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: BASIC },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => finish({ kind: 'cut', status: res.statusCode ?? 0 }));
        res.on('close', () => {
          if (!res.complete) return finish({ kind: 'cut', status: res.statusCode ?? 0 });
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) {
            try {
              const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
              if (answer.accepted + answer.duplicates === events && answer.rejected.length === 0) return finish({ kind: 'acked' });
            } catch {
              // Reported as an unexpected answer below.
            }
          }
          finish({ kind: 'answered', status: res.statusCode ?? 0, text });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'notDelivered', code: error.code ?? error.message, reusedSocket: req.reusedSocket }));
    req.setTimeout(20_000, () => req.destroy(Object.assign(new Error('no answer in 20 s'), { code: 'TIMEOUT' })));
    req.end(body);
  });
}

interface Sent {
  sender: number;
  ids: string[];
  body: string;
  outcome: Outcome;
}

/** One batch: page views and tracks, an identify every third batch (merging two visitors into a user), a group now and then. */
function makeBatch(run: string, sender: number, n: number): { ids: string[]; body: string } {
  const visitor = `anon-${run}-${sender}-${n}`;
  const user = `user-${run}-${sender}-${Math.floor(n / 6)}`;
  const batch = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const messageId = `${run}-${sender}-${n}-${i}`;
    if (i === EVENTS_PER_BATCH - 1 && n % 3 === 0) {
      return { type: 'identify', messageId, anonymousId: visitor, userId: user, traits: { name: `Person ${sender}/${n}`, plan: n % 2 ? 'pro' : 'free' } };
    }
    if (i === 0 && n % 5 === 0) return { type: 'group', messageId, anonymousId: visitor, groupId: `co-${sender}`, traits: { name: `Company ${sender}` } };
    if (i % 4 === 0) return { type: 'page', messageId, anonymousId: visitor, name: 'Pricing', properties: { url: `https://acme.test/pricing?n=${n}`, path: '/pricing' } };
    return { type: 'track', messageId, anonymousId: visitor, event: 'Clicked', properties: { button: `b${i}`, note: 'x'.repeat(200) } };
  });
  return { ids: batch.map((event) => event.messageId), body: JSON.stringify({ batch, sentAt: new Date().toISOString() }) };
}

/**
 * Concurrent senders, each posting one batch at a time until `stop()` says so (or, with
 * `stopWhenGone`, until the collector stops taking its requests). Half of them reuse keep-alive
 * connections, as browsers and Segment libraries do; the other half open one per request.
 */
function startLoad(options: { run: string; port: number; stop: () => boolean; stopWhenGone?: boolean }) {
  const sent: Sent[] = [];
  const agents: http.Agent[] = [];
  const senders = Array.from({ length: SENDERS }, async (_, sender) => {
    const agent = sender % 2 === 0 ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    if (agent) agents.push(agent);
    for (let n = 0; !options.stop(); n++) {
      const { ids, body } = makeBatch(options.run, sender, n);
      const outcome = await postBatch(options.port, agent, body, ids.length);
      sent.push({ sender, ids, body, outcome });
      if (outcome.kind !== 'acked' && options.stopWhenGone) break;
      if (outcome.kind === 'notDelivered') await new Promise((wait) => setTimeout(wait, 10));
    }
  });
  return {
    sent,
    acked: () => sent.filter((s) => s.outcome.kind === 'acked').length,
    done: async () => {
      await Promise.all(senders);
      for (const agent of agents) agent.destroy();
      return sent;
    },
  };
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 5));
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the file

/** Opens the SQLite file the way an operator would inspect it (read-only; the collector may be running). */
function inspect(dbPath: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  return {
    db,
    integrity: () => db.pragma('integrity_check', { simple: true }),
    storedCounts(ids: string[]): Map<string, number> {
      const counts = new Map<string, number>();
      const query = db.prepare('SELECT count(*) FROM events WHERE message_id = ?').pluck();
      for (const id of ids) counts.set(id, query.get(id) as number);
      return counts;
    },
    /** Rows that a torn write would leave behind: JSON that does not parse, events or identities pointing nowhere. */
    halfWritten(): string[] {
      const problems: string[] = [];
      for (const row of db.prepare('SELECT message_id, properties, traits, context, device FROM events').iterate() as Iterable<Record<string, string>>) {
        for (const column of ['properties', 'traits', 'context', 'device']) {
          try {
            JSON.parse(row[column]!);
          } catch {
            problems.push(`events ${row.message_id}.${column} is not JSON`);
          }
        }
      }
      for (const row of db.prepare('SELECT id, traits FROM people').iterate() as Iterable<{ id: string; traits: string }>) {
        try {
          JSON.parse(row.traits);
        } catch {
          problems.push(`people ${row.id}.traits is not JSON`);
        }
      }
      const orphans = db
        .prepare(
          `SELECT message_id FROM events e
           WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = e.person_id)
             AND NOT EXISTS (SELECT 1 FROM person_aliases a JOIN people p ON p.id = a.person_id WHERE a.alias_id = e.person_id)`,
        )
        .pluck()
        .all() as string[];
      problems.push(...orphans.map((id) => `event ${id} belongs to no person`));
      const lostIdentities = db.prepare('SELECT value FROM identities i WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = i.person_id)').pluck().all() as string[];
      problems.push(...lostIdentities.map((value) => `identity ${value} points at no person`));
      return problems;
    },
    close: () => db.close(),
  };
}

const describeOutcomes = (sent: Sent[]) =>
  Object.entries(
    sent.reduce<Record<string, number>>((counts, s) => {
      const key = s.outcome.kind === 'notDelivered' ? `notDelivered:${s.outcome.code}${s.outcome.reusedSocket ? ':reused' : ''}` : s.outcome.kind;
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
  )
    .map(([key, count]) => `${key}=${count}`)
    .join(' ');

// ---------------------------------------------------------------------------------------------

describe('the collector process under load', () => {
  it('keeps every acknowledged event through a SIGKILL mid-load, with no half-written batch, and stores each exactly once on resend', async () => {
    const dbPath = join(dir, 'kill9.db');
    const first = await startCollector(dbPath);
    let killed = false;
    const load = startLoad({ run: 'k9', port: first.port, stop: () => killed });

    await until(() => load.acked() >= 40, 15_000, `40 acknowledged batches (so far: ${describeOutcomes(load.sent)})`);
    first.child.kill('SIGKILL');
    killed = true;
    expect(await waitForExit(first, 5_000)).toEqual({ code: null, signal: 'SIGKILL' });
    const sent = await load.done();
    const acked = sent.filter((s) => s.outcome.kind === 'acked');
    const unanswered = sent.filter((s) => s.outcome.kind !== 'acked');
    expect(acked.length).toBeGreaterThanOrEqual(40);
    // Only the kill can have stopped a request; the collector never refused a valid batch.
    expect(sent.filter((s) => s.outcome.kind === 'answered'), describeOutcomes(sent)).toEqual([]);

    // Restart on the same file: recovery is the collector's own open.
    const second = await startCollector(dbPath);
    const file = inspect(dbPath);
    expect(file.integrity()).toBe('ok');
    expect(file.halfWritten()).toEqual([]);
    const counts = file.storedCounts(sent.flatMap((s) => s.ids));
    const lost = acked.flatMap((s) => s.ids).filter((id) => counts.get(id) !== 1);
    expect(lost, 'acknowledged messageIds missing after the kill').toEqual([]);
    // One transaction per batch: a batch the kill caught is all there or not there at all.
    for (const batch of unanswered) {
      const stored = batch.ids.filter((id) => counts.get(id) === 1).length;
      expect([0, batch.ids.length], `batch ${batch.ids[0]} is partly stored`).toContain(stored);
    }
    file.close();

    // The App's queue re-sends what it has no 200 for; re-send everything, acknowledged or not.
    for (const batch of sent) {
      const outcome = await postBatch(second.port, false, batch.body, batch.ids.length);
      expect(outcome, `resending ${batch.ids[0]}`).toEqual({ kind: 'acked' });
    }
    second.child.kill('SIGTERM');
    expect(await waitForExit(second, 12_000)).toEqual({ code: 0, signal: null });

    const after = inspect(dbPath);
    expect(after.integrity()).toBe('ok');
    expect(after.halfWritten()).toEqual([]);
    const final = after.storedCounts(sent.flatMap((s) => s.ids));
    expect([...final.values()].every((count) => count === 1), 'every messageId sent is stored exactly once').toBe(true);
    expect(final.size).toBe(sent.length * EVENTS_PER_BATCH);
    after.close();
  }, TIMEOUT);

  it('drains on SIGTERM: every request gets a complete answer or never reaches the collector, acknowledged events are stored, and it exits 0', async () => {
    const dbPath = join(dir, 'sigterm.db');
    const collector = await startCollector(dbPath);
    let exited = false;
    void collector.exited.then(() => (exited = true));
    const load = startLoad({ run: 'term', port: collector.port, stop: () => exited, stopWhenGone: true });

    await until(() => load.acked() >= 30, 15_000, `30 acknowledged batches (so far: ${describeOutcomes(load.sent)})`);
    collector.child.kill('SIGTERM');
    const exit = await waitForExit(collector, 15_000);
    const sent = await load.done();

    expect(exit, collector.output.join('')).toEqual({ code: 0, signal: null });
    const outcomes = describeOutcomes(sent);
    expect(sent.filter((s) => s.outcome.kind === 'cut'), `answers cut off mid-way (${outcomes})`).toEqual([]);
    expect(sent.filter((s) => s.outcome.kind === 'answered'), `answers other than 200 (${outcomes})`).toEqual([]);

    const file = inspect(dbPath);
    expect(file.integrity()).toBe('ok');
    expect(file.halfWritten()).toEqual([]);
    const counts = file.storedCounts(sent.flatMap((s) => s.ids));
    for (const batch of sent) {
      const stored = batch.ids.filter((id) => counts.get(id) === 1).length;
      // Acknowledged → stored. Not delivered → the collector never read it, so nothing of it is stored:
      // a request that was stored but got no complete answer would be one cut off mid-way.
      expect(stored, `batch ${batch.ids[0]} (${batch.outcome.kind})`).toBe(batch.outcome.kind === 'acked' ? batch.ids.length : 0);
    }
    file.close();
  }, TIMEOUT);

  it('finishes a request still uploading when SIGTERM arrives, closes that keep-alive connection after the answer, and exits 0', async () => {
    const dbPath = join(dir, 'drain.db');
    const collector = await startCollector(dbPath);
    const request = (body: string) =>
      [
        'POST /v1/batch HTTP/1.1',
        `Host: 127.0.0.1:${collector.port}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `Authorization: ${BASIC}`,
        'Connection: keep-alive',
        '',
        body,
      ].join('\r\n');

    const socket = net.connect(collector.port, '127.0.0.1');
    let received = '';
    let socketClosed = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined); // a write racing the collector's close
    const closed = new Promise<void>((done) => socket.once('close', () => done((socketClosed = true) && undefined)));
    await new Promise<void>((done) => socket.once('connect', () => done()));
    const answers = () => received.split('HTTP/1.1 ').length - 1;

    // Headers and half the body: the collector is now reading this request.
    const first = makeBatch('drain', 0, 0);
    const text = request(first.body);
    socket.write(text.slice(0, text.length - first.body.length / 2));
    await new Promise((wait) => setTimeout(wait, 200));
    expect(received).toBe('');

    collector.child.kill('SIGTERM');
    await until(() => collector.output.join('').includes('SIGTERM:'), 5_000, 'the collector to start draining');
    socket.write(text.slice(text.length - first.body.length / 2));

    // Then behave like a keep-alive client: the next request on the same connection as soon as
    // the answer is in. Before the fix, the collector answered these for as long as they came,
    // never finished closing, and was cut down by its 10 s exit(1) timer.
    const more: { ids: string[] }[] = [];
    for (let next = 1; next <= 20; next++) {
      await until(() => answers() >= next || socketClosed, 10_000, `answer ${next}`);
      if (socketClosed) break;
      const batch = makeBatch('drain', 0, next);
      more.push(batch);
      socket.write(request(batch.body));
    }
    await closed;

    expect(answers(), received).toBe(1);
    const [head, rest] = received.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(rest)).toMatchObject({ accepted: first.ids.length, rejected: [] });
    expect(await waitForExit(collector, 12_000)).toEqual({ code: 0, signal: null });

    const file = inspect(dbPath);
    expect([...file.storedCounts(first.ids).values()]).toEqual(first.ids.map(() => 1));
    // A request written after the answer that closed the connection was never read.
    expect([...file.storedCounts(more.flatMap((batch) => batch.ids)).values()].every((count) => count === 0)).toBe(true);
    file.close();
  }, TIMEOUT);
});
