import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../clock.js';
import type { JobRequest } from '../../jobs/job-types.js';
import type { Store } from '../store.js';
import type { OpenStore } from './store-contract.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const LEASE = 30_000;

/**
 * The job table's behaviour (`store.jobs` and `tx.jobs`), held the same on every store: what is
 * due, leases and who may finish a job, idempotent enqueue, and a queue that commits or rolls
 * back with the ingest unit of work.
 */
export function defineJobStoreContract(name: string, open: OpenStore): void {
  describe(`${name} job store contract`, () => {
    let now = T0;
    const clock: Clock = { now: () => now };
    let store: Store;
    let close: () => Promise<void>;
    let projectId: string;
    let sequence = 0;

    beforeEach(async () => {
      now = T0;
      ({ store, close } = await open(clock));
      projectId = (await store.ensureDefaultProject({})).project.id;
    });
    afterEach(async () => {
      await close();
    });

    const job = (fields: Partial<JobRequest> = {}): JobRequest => ({ projectId, kind: 'test.kind', key: `k-${++sequence}`, runAt: now, payload: { n: sequence }, ...fields });

    it('makes one job of the same key however often it is enqueued, and keeps the first payload', async () => {
      const first = await store.jobs.enqueue(job({ key: 'same', payload: { v: 1 } }), now);
      const again = await store.jobs.enqueue(job({ key: 'same', payload: { v: 2 } }), now + 1);
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      // The same key under another kind is another job.
      expect((await store.jobs.enqueue(job({ key: 'same', kind: 'other.kind' }), now)).created).toBe(true);
      expect(await store.jobs.get(projectId, first.id)).toMatchObject({
        id: first.id, projectId, kind: 'test.kind', key: 'same', status: 'pending', runAt: T0, payload: { v: 1 },
        maxAttempts: 8, attempts: 0, lastError: null, leaseOwner: null, leaseUntil: null, createdAt: T0, finishedAt: null,
      });
    });

    it('claims only what is due, oldest first, leased to the claimant, and not twice', async () => {
      const later = await store.jobs.enqueue(job({ runAt: T0 + 60_000 }), now);
      const second = await store.jobs.enqueue(job({ runAt: T0 - 10 }), now);
      const first = await store.jobs.enqueue(job({ runAt: T0 - 20 }), now);
      const claimed = await store.jobs.claimDue(now, 10, 120_000, 'runner-a');
      expect(claimed.map((j) => j.id)).toEqual([first.id, second.id]);
      expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'runner-a', leaseUntil: T0 + 120_000 });
      expect(await store.jobs.claimDue(now, 10, LEASE, 'runner-b')).toEqual([]);
      now += 60_000 - 1;
      expect(await store.jobs.claimDue(now, 10, LEASE, 'runner-b')).toEqual([]);
      now += 1;
      expect((await store.jobs.claimDue(now, 10, 120_000, 'runner-b')).map((j) => j.id)).toEqual([later.id]);
      // The first two leases (until T0 + 120 s) expire: then they are due again.
      now = T0 + 120_000;
      expect((await store.jobs.claimDue(now, 10, LEASE, 'runner-b')).map((j) => j.id).sort()).toEqual([first.id, second.id].sort());
    });

    it('respects the limit', async () => {
      for (let i = 0; i < 5; i++) await store.jobs.enqueue(job(), now);
      expect(await store.jobs.claimDue(now, 3, LEASE, 'a')).toHaveLength(3);
      expect(await store.jobs.claimDue(now, 3, LEASE, 'a')).toHaveLength(2);
      expect(await store.jobs.claimDue(now, 0, LEASE, 'a')).toEqual([]);
    });

    it('gives a job whose lease expired to the next claimant, and the old owner can no longer finish it', async () => {
      const { id } = await store.jobs.enqueue(job(), now);
      await store.jobs.claimDue(now, 1, LEASE, 'crashed');
      now += LEASE;
      const [again] = await store.jobs.claimDue(now, 1, LEASE, 'fresh');
      expect(again).toMatchObject({ id, attempts: 2, leaseOwner: 'fresh', leaseUntil: now + LEASE });
      expect(await store.jobs.complete(id, 'crashed', now)).toBe(false);
      expect(await store.jobs.fail(id, 'crashed', 'late', now)).toBe(false);
      expect(await store.jobs.retryLater(id, 'crashed', 'late', now)).toBe(false);
      expect(await store.jobs.complete(id, 'fresh', now + 5)).toBe(true);
      expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'done', finishedAt: now + 5, leaseOwner: null, leaseUntil: null });
      expect(await store.jobs.complete(id, 'fresh', now + 6)).toBe(false);
    });

    it('retries later with the error kept, and fails with the reason', async () => {
      const { id } = await store.jobs.enqueue(job({ maxAttempts: 2 }), now);
      await store.jobs.claimDue(now, 1, LEASE, 'a');
      expect(await store.jobs.retryLater(id, 'a', 'HTTP 500', now + 5_000)).toBe(true);
      expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'pending', runAt: now + 5_000, lastError: 'HTTP 500', attempts: 1, maxAttempts: 2, leaseOwner: null });
      expect(await store.jobs.claimDue(now + 4_999, 1, LEASE, 'a')).toEqual([]);
      now += 5_000;
      expect(await store.jobs.claimDue(now, 1, LEASE, 'a')).toHaveLength(1);
      expect(await store.jobs.fail(id, 'a', 'HTTP 410', now)).toBe(true);
      expect(await store.jobs.get(projectId, id)).toMatchObject({ status: 'failed', lastError: 'HTTP 410', attempts: 2, finishedAt: now });
      expect(await store.jobs.claimDue(now + 1e9, 1, LEASE, 'a')).toEqual([]);
    });

    it('cancels a pending job by its key, which then never runs; a finished one stays as it ended', async () => {
      const pending = await store.jobs.enqueue(job({ key: 'to-cancel', runAt: T0 + 1_000 }), now);
      expect(await store.jobs.cancel(projectId, 'test.kind', 'to-cancel', now)).toBe(true);
      expect(await store.jobs.cancel(projectId, 'test.kind', 'to-cancel', now)).toBe(false);
      expect(await store.jobs.cancel(projectId, 'test.kind', 'no-such-key', now)).toBe(false);
      expect(await store.jobs.get(projectId, pending.id)).toMatchObject({ status: 'cancelled', finishedAt: now });
      expect(await store.jobs.claimDue(T0 + 1e6, 10, LEASE, 'a')).toEqual([]);
      // Enqueueing the key again does not bring it back: the key is spent.
      expect(await store.jobs.enqueue(job({ key: 'to-cancel' }), now)).toEqual({ id: pending.id, created: false });

      const done = await store.jobs.enqueue(job({ key: 'done' }), now);
      await store.jobs.claimDue(now, 10, LEASE, 'a');
      await store.jobs.complete(done.id, 'a', now);
      expect(await store.jobs.cancel(projectId, 'test.kind', 'done', now)).toBe(false);
      expect((await store.jobs.get(projectId, done.id))!.status).toBe('done');
    });

    it('reads a job only within its project', async () => {
      const { id } = await store.jobs.enqueue(job(), now);
      expect(await store.jobs.get('another-project', id)).toBeNull();
      expect(await store.jobs.get(projectId, 'no-such-id')).toBeNull();
    });

    it('keeps a clipped error, not an unbounded one', async () => {
      const { id } = await store.jobs.enqueue(job(), now);
      await store.jobs.claimDue(now, 1, LEASE, 'a');
      await store.jobs.retryLater(id, 'a', 'x'.repeat(10_000), now);
      expect((await store.jobs.get(projectId, id))!.lastError!.length).toBeLessThanOrEqual(2_000);
    });

    it('commits a job queued inside the ingest unit of work with it, and rolls it back with it', async () => {
      const kept = await store.transact(1, async (tx) => tx.jobs.enqueue(job({ key: 'in-tx' }), now));
      expect(kept.created).toBe(true);
      expect(await store.jobs.get(projectId, kept.id)).toMatchObject({ key: 'in-tx', status: 'pending' });
      // Idempotent inside the transaction as outside it.
      expect(await store.transact(1, async (tx) => tx.jobs.enqueue(job({ key: 'in-tx' }), now))).toEqual({ id: kept.id, created: false });

      let queued: { id: string } | null = null;
      await expect(
        store.transact(1, async (tx) => {
          queued = await tx.jobs.enqueue(job({ key: 'rolled-back' }), now);
          throw new Error('the unit failed after queueing');
        }),
      ).rejects.toThrow('the unit failed');
      expect(queued).not.toBeNull();
      expect(await store.jobs.get(projectId, queued!.id)).toBeNull();
      expect((await store.jobs.enqueue(job({ key: 'rolled-back' }), now)).created).toBe(true);
    });
  });
}
