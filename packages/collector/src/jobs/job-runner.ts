import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import { exponentialBackoff } from './job-backoff.js';
import type { Job } from './job-types.js';

/**
 * Runs one job. It must be idempotent per job (the key travels in `job.key` / the payload): the
 * process may die after the side effect and before `complete`, and the job then runs again once
 * its lease expires. `attempt` counts from 1 and includes runs a crash cut short.
 */
export type JobHandler = (job: Job, context: { clock: Clock; attempt: number }) => Promise<void>;

/** Thrown by a handler that must not be retried (bad config); other errors retry with backoff. */
export class PermanentJobError extends Error {}

export interface JobRunner {
  start(): void;
  /** Stops polling and resolves once the jobs in flight have finished (and been recorded). */
  stop(): Promise<void>;
  /** One poll: claims and runs due jobs; resolves with how many ran. */
  runOnce(): Promise<number>;
}

export interface JobRunnerOptions {
  store: Store;
  clock: Clock;
  /** By job kind. A kind with no handler fails permanently, with that reason. */
  handlers: Record<string, JobHandler>;
  /** Between polls when nothing was due (default 1000; HARK_RUNNER_POLL_MS). */
  pollMs?: number;
  /** Jobs claimed per poll at most (default 50; HARK_RUNNER_BATCH). */
  batchSize?: number;
  /** Jobs running at once in this process at most (default 8; HARK_RUNNER_CONCURRENCY). */
  concurrency?: number;
  /** How long a claim holds a job; past it, another runner may take it (a crash). Default 60 s. */
  leaseMs?: number;
  /** Who holds the leases (default host:pid:random, unique per runner). */
  owner?: string;
  /** Milliseconds to wait after failed attempt n (default exponentialBackoff, with jitter). */
  backoff?: (attempt: number) => number;
  logError?: (error: unknown) => void;
}

export const DEFAULT_LEASE_MS = 60_000;

const describe = (error: unknown): string => (error instanceof Error ? error.message || error.name : String(error));

/**
 * The durable job runner (DESIGN §9): polls `store.jobs` for due jobs, leases them, runs each
 * kind's handler with bounded concurrency, and records the outcome. No timer holds a job: a job
 * is a row, so a restart, or another collector, picks up where this one stopped, and a lease
 * that expires (this process died mid-job) makes the job claimable again.
 *
 * The runner knows no domain: modules register handlers by kind (`<module>JobHandlers(deps)`).
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, clock, handlers } = options;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const backoff = options.backoff ?? ((attempt: number) => exponentialBackoff(attempt));
  const logError = options.logError ?? ((error: unknown) => console.error('[hark] job runner', error));

  const inFlight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;

  /** Runs one claimed job and records what happened; never throws. */
  const run = async (job: Job): Promise<void> => {
    const attempt = job.attempts;
    try {
      // A job whose runs keep dying with the process (its lease expired each time) counts those too.
      if (attempt > job.maxAttempts) {
        await store.jobs.fail(job.id, owner, `Gave up after ${job.maxAttempts} attempts; the last ones did not finish (the process stopped or the lease expired).`, clock.now());
        return;
      }
      const handler = handlers[job.kind];
      if (!handler) {
        await store.jobs.fail(job.id, owner, `No handler for job kind "${job.kind}" in this collector.`, clock.now());
        return;
      }
      try {
        await handler(job, { clock, attempt });
      } catch (error) {
        if (error instanceof PermanentJobError) await store.jobs.fail(job.id, owner, describe(error), clock.now());
        else if (attempt >= job.maxAttempts) await store.jobs.fail(job.id, owner, `Failed ${attempt} times; last error: ${describe(error)}`, clock.now());
        else await store.jobs.retryLater(job.id, owner, describe(error), clock.now() + backoff(attempt));
        return;
      }
      await store.jobs.complete(job.id, owner, clock.now());
    } catch (error) {
      // The store failed while recording: the lease expires and the job runs again.
      logError(error);
    }
  };

  const track = (job: Job): Promise<void> => {
    const done = run(job).finally(() => inFlight.delete(done));
    inFlight.add(done);
    return done;
  };

  /** Claims what fits in the free slots and starts it; the promises settle as each job ends. */
  const claimAndStart = async (): Promise<{ started: Promise<void>[]; free: number }> => {
    const free = Math.min(batchSize, concurrency - inFlight.size);
    if (free <= 0) return { started: [], free };
    const jobs = await store.jobs.claimDue(clock.now(), free, leaseMs, owner);
    return { started: jobs.map(track), free };
  };

  // One claim at a time per runner: the loop and a caller of runOnce never lease side by side.
  let claiming: Promise<unknown> = Promise.resolve();
  const claimOnce = (): Promise<{ started: Promise<void>[]; free: number }> => {
    const next = claiming.then(claimAndStart, claimAndStart);
    claiming = next.catch(() => undefined);
    return next;
  };

  const runOnce = async (): Promise<number> => {
    const { started } = await claimOnce();
    await Promise.all(started);
    return started.length;
  };

  /**
   * The polling loop does not wait for the jobs it started: a slow job holds one slot, not the
   * poll. When every slot was taken, or the claim filled them all (more may be due), it polls
   * again as soon as a slot frees up; otherwise after `pollMs`.
   */
  const loop = async (): Promise<void> => {
    timer = null;
    if (!running) return;
    let full = false;
    try {
      const { started, free } = await claimOnce();
      full = free <= 0 || started.length === free;
    } catch (error) {
      logError(error);
    }
    if (!running) return;
    if (full && inFlight.size > 0) {
      void Promise.race([...inFlight]).then(() => {
        if (running && timer === null) timer = setTimeout(() => void loop(), 0);
      });
    } else {
      timer = setTimeout(() => void loop(), full ? 0 : pollMs);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(() => void loop(), 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      // A claim under way may still start jobs: wait for it, then for every job in flight.
      await claiming;
      await Promise.all([...inFlight]);
    },
    runOnce,
  };
}
