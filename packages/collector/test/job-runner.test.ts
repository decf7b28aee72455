import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobRunner, PermanentJobError, type JobHandler, type JobRunnerOptions } from '../src/jobs/job-runner.js';
import { exponentialBackoff } from '../src/jobs/job-backoff.js';
import type { Job, JobRequest } from '../src/jobs/job-types.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { manualClock } from './harness.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('the durable job runner', () => {
  let dir: string;
  let store: Store;
  let projectId: string;
  const clock = manualClock();
  const runners: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    clock.set(Date.parse('2026-11-21T12:00:00.000Z'));
    dir = mkdtempSync(join(tmpdir(), 'hark-runner-'));
    store = openSqliteStore({ path: join(dir, 'hark.db'), clock });
    projectId = (await store.ensureDefaultProject({})).project.id;
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let keys = 0;
  const enqueue = (fields: Partial<JobRequest> = {}) => store.jobs.enqueue({ projectId, kind: 'test', key: `k${++keys}`, runAt: clock.now(), payload: null, ...fields }, clock.now());
  const runner = (handlers: Record<string, JobHandler>, options: Partial<JobRunnerOptions> = {}) => {
    const made = createJobRunner({ store, clock, handlers, backoff: (attempt) => attempt * 1_000, logError: () => undefined, ...options });
    runners.push(made);
    return made;
  };

  it('runs a due job once and records it done; a job not yet due waits for its time', async () => {
    const ran: string[] = [];
    const jobs = runner({ test: async (job) => void ran.push(job.key) });
    const now = await enqueue({ key: 'now' });
    const later = await enqueue({ key: 'later', runAt: clock.now() + 60_000 });
    expect(await jobs.runOnce()).toBe(1);
    expect(await jobs.runOnce()).toBe(0);
    expect(ran).toEqual(['now']);
    expect(await store.jobs.get(projectId, now.id)).toMatchObject({ status: 'done', attempts: 1, finishedAt: clock.now() });
    clock.advance(60_000);
    expect(await jobs.runOnce()).toBe(1);
    expect(ran).toEqual(['now', 'later']);
    expect((await store.jobs.get(projectId, later.id))!.status).toBe('done');
  });

  it('runs a job enqueued twice under one key once', async () => {
    let runs = 0;
    const jobs = runner({ test: async () => void runs++ });
    await enqueue({ key: 'same' });
    await enqueue({ key: 'same' });
    await jobs.runOnce();
    await enqueue({ key: 'same' });
    await jobs.runOnce();
    expect(runs).toBe(1);
  });

  it('retries a failing job after its backoff, with the attempt number, until it succeeds', async () => {
    const attempts: number[] = [];
    const jobs = runner({
      test: async (_job, { attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`HTTP 500 on attempt ${attempt}`);
      },
    });
    const { id } = await enqueue();
    expect(await jobs.runOnce()).toBe(1);
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'pending', lastError: 'HTTP 500 on attempt 1', runAt: clock.now() + 1_000 });
    clock.advance(999);
    expect(await jobs.runOnce()).toBe(0);
    clock.advance(1);
    expect(await jobs.runOnce()).toBe(1);
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'pending', runAt: clock.now() + 2_000 });
    clock.advance(2_000);
    expect(await jobs.runOnce()).toBe(1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('fails a job with the reason after its last attempt', async () => {
    const jobs = runner({ test: async () => Promise.reject(new Error('connection refused')) });
    const { id } = await enqueue({ maxAttempts: 2 });
    await jobs.runOnce();
    clock.advance(1_000);
    await jobs.runOnce();
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'Failed 2 times; last error: connection refused' });
    clock.advance(1e9);
    expect(await jobs.runOnce()).toBe(0);
  });

  it('fails at once, without retrying, on a PermanentJobError or a kind nobody handles', async () => {
    const jobs = runner({ test: async () => Promise.reject(new PermanentJobError('HTTP 410: the receiver is gone')) });
    const permanent = await enqueue();
    const unknown = await enqueue({ kind: 'nobody.handles' });
    expect(await jobs.runOnce()).toBe(2);
    expect(await store.jobs.get(projectId, permanent.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 410: the receiver is gone' });
    expect(await store.jobs.get(projectId, unknown.id)).toMatchObject({ status: 'failed', lastError: 'No handler for job kind "nobody.handles" in this collector.' });
  });

  it('takes over a job whose runner died mid-job once its lease expires, as a new attempt', async () => {
    const attempts: number[] = [];
    const jobs = runner({ test: async (_job, { attempt }) => void attempts.push(attempt) }, { leaseMs: 30_000 });
    const { id } = await enqueue();
    // Another runner claimed it and then the process died: the row stays 'running' under its lease.
    await store.jobs.claimDue(clock.now(), 10, 30_000, 'crashed-runner');
    expect(await jobs.runOnce()).toBe(0);
    clock.advance(29_999);
    expect(await jobs.runOnce()).toBe(0);
    clock.advance(1);
    expect(await jobs.runOnce()).toBe(1);
    expect(attempts).toEqual([2]);
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'done', attempts: 2 });
    // The dead runner's late answer changes nothing.
    expect(await store.jobs.complete(id, 'crashed-runner', clock.now())).toBe(false);
  });

  it('gives up on a job that keeps dying with its runner, without running it again', async () => {
    let runs = 0;
    const jobs = runner({ test: async () => void runs++ }, { leaseMs: 10 });
    const { id } = await enqueue({ maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      await store.jobs.claimDue(clock.now(), 1, 10, `crashed-${i}`);
      clock.advance(10);
    }
    expect(await jobs.runOnce()).toBe(1);
    expect(runs).toBe(0);
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect((await store.jobs.get(projectId, id))!.lastError).toMatch(/^Gave up after 2 attempts/);
  });

  it('runs no more jobs at once than its concurrency, and claims no more than it can run', async () => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    const jobs = runner(
      {
        test: async () => {
          most = Math.max(most, ++running);
          await gate.promise;
          running--;
        },
      },
      { concurrency: 2, batchSize: 50, pollMs: 5 },
    );
    for (let i = 0; i < 5; i++) await enqueue();
    jobs.start();
    await vi.waitFor(() => expect(running).toBe(2));
    // Three are still pending: this runner did not lease what it could not run.
    expect(await store.jobs.claimDue(clock.now(), 10, 1_000, 'someone-else')).toHaveLength(3);
    gate.resolve();
    await jobs.stop();
    expect(most).toBe(2);
  });

  it('stops polling on stop() and resolves only once the jobs in flight are done and recorded', async () => {
    const gate = deferred();
    const started: string[] = [];
    const jobs = runner(
      {
        test: async (job) => {
          started.push(job.key);
          await gate.promise;
        },
      },
      { pollMs: 5 },
    );
    const { id } = await enqueue();
    jobs.start();
    await vi.waitFor(() => expect(started).toHaveLength(1));
    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await enqueue();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'done' });
    // Nothing was claimed after stop(): the second job is still pending.
    expect(started).toHaveLength(1);
  });

  it('keeps polling while it runs, so a job that comes due is picked up within the poll interval', async () => {
    const ran: string[] = [];
    const jobs = runner({ test: async (job) => void ran.push(job.key) }, { pollMs: 5 });
    jobs.start();
    await enqueue({ key: 'first' });
    await vi.waitFor(() => expect(ran).toEqual(['first']));
    await enqueue({ key: 'later', runAt: clock.now() + 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual(['first']);
    clock.advance(60_000);
    await vi.waitFor(() => expect(ran).toEqual(['first', 'later']));
  });
});

describe('exponential backoff with jitter', () => {
  it('doubles per attempt, between half and all of the step, and stops growing at an hour', () => {
    expect(exponentialBackoff(1, () => 0)).toBe(2_500);
    expect(exponentialBackoff(1, () => 1)).toBe(5_000);
    expect(exponentialBackoff(3, () => 0.5)).toBe(15_000);
    expect(exponentialBackoff(30, () => 1)).toBe(3_600_000);
    const spread = new Set(Array.from({ length: 20 }, () => exponentialBackoff(4)));
    expect(spread.size).toBeGreaterThan(1);
    for (const wait of spread) {
      expect(wait).toBeGreaterThanOrEqual(20_000);
      expect(wait).toBeLessThanOrEqual(40_000);
    }
  });
});

const url = TEST_DATABASE_URL;
if (url) {
  describe('job runners on PostgreSQL', () => {
    it('two collectors claiming at once run every job exactly once between them', { timeout: 60_000 }, async () => {
      const schema = freshSchema();
      const clock = manualClock();
      const first = await openPostgresStore({ url, schema, clock });
      const second = await openPostgresStore({ url, schema, clock });
      try {
        const projectId = (await first.ensureDefaultProject({})).project.id;
        for (let i = 0; i < 200; i++) await first.jobs.enqueue({ projectId, kind: 'count', key: `job-${i}`, runAt: clock.now(), payload: { i } }, clock.now());
        const runsByKey = new Map<string, number>();
        const ranBy = { a: 0, b: 0 };
        const handler = (who: 'a' | 'b'): JobHandler => async (job: Job) => {
          runsByKey.set(job.key, (runsByKey.get(job.key) ?? 0) + 1);
          ranBy[who]++;
          // A short real wait, so the two runners' claims overlap.
          await new Promise((resolve) => setTimeout(resolve, 1));
        };
        const a = createJobRunner({ store: first, clock, handlers: { count: handler('a') }, batchSize: 10, concurrency: 10, owner: 'a' });
        const b = createJobRunner({ store: second, clock, handlers: { count: handler('b') }, batchSize: 10, concurrency: 10, owner: 'b' });
        const drain = async (runner: typeof a) => {
          while ((await runner.runOnce()) > 0);
        };
        await Promise.all([drain(a), drain(b)]);
        expect(runsByKey.size).toBe(200);
        expect([...runsByKey.values()].every((runs) => runs === 1)).toBe(true);
        expect(ranBy.a).toBeGreaterThan(0);
        expect(ranBy.b).toBeGreaterThan(0);
      } finally {
        await first.close();
        await second.close();
        await dropSchema(url, schema);
      }
    });
  });
} else {
  warnPostgresSkipped('Job runners on PostgreSQL');
  describe.skip(`job runners on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('two collectors claiming at once run every job exactly once between them', () => undefined);
  });
}
