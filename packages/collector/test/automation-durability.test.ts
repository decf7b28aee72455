import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { killAll, spawnCollector } from './collector-process.js';
import { startReceiver } from './webhook-receiver.js';

/**
 * Automations survive the process (issue 12, "Running it durably"): the real collector runs an
 * automation "Signed Up → wait 3 s → webhook"; it is killed with SIGKILL while some runs wait and
 * some webhook deliveries are held open at the receiver (in flight), then started again on the
 * same file. After the restart every run finishes, every run's delivery arrives (one distinct
 * Hark-Webhook-Id per run; a second arrival of an id only for a delivery in flight at the kill),
 * and every wait ends on time: not before its due time, and no later than the due time (or the
 * restart, for waits that came due while the process was down) plus the poll interval and a
 * small bound for a shared, loaded test machine. The collector stays down until some waits have
 * come due, so waits due before the kill, while it is down, and after the restart are all covered.
 */
const WRITE_KEY = 'hk_w_automation_durability_write_key';
const SECRET_KEY = 'hk_s_automation_durability_secret_key_00';
const WAIT_MS = 3_000;
const POLL_MS = 50;
// Longer than the receiver holds a delivery before the kill, so the live process never takes it back.
const LEASE_MS = 5_000;
/** Scheduling slack on two cores shared by several test processes (claim, step commit, timer drift). */
const LATE_BOUND_MS = 750;
/** People whose runs are past the wait at the kill (their deliveries: some held open, some answered). */
const FIRST_WAVE = 4;
/** How many of the first wave's deliveries the receiver holds open until the kill. */
const HELD = 2;
/** People whose runs are waiting at the kill, in two batches 1.5 s apart (so their waits come due apart). */
const SECOND_WAVE = 8;
const GAP_MS = 1_500;
const dir = mkdtempSync(join(tmpdir(), 'hark-automation-kill-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  killAll(children);
  rmSync(dir, { recursive: true, force: true });
});

/** The collector with its runner on, polling often and leasing briefly. */
const startCollector = (dbPath: string) =>
  spawnCollector(
    {
      HARK_DB: dbPath,
      HARK_WRITE_KEY: WRITE_KEY,
      HARK_SECRET_KEY: SECRET_KEY,
      HARK_WEBHOOKS_ALLOW_PRIVATE: '1',
      HARK_RUNNER: 'on',
      HARK_RUNNER_POLL_MS: String(POLL_MS),
      // Room for the held deliveries (HELD slots) and the second wave's steps beside them.
      HARK_RUNNER_CONCURRENCY: '4',
      // A killed runner's leased jobs (the held deliveries) come back after this; short for the test.
      HARK_RUNNER_LEASE_MS: String(LEASE_MS),
    },
    children,
  );

const admin = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' } });

const signUp = (base: string, from: number, count: number) =>
  fetch(`${base}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
    body: JSON.stringify({ batch: Array.from({ length: count }, (_, i) => ({ type: 'track', messageId: `signup-${from + i}`, userId: `user-${from + i}`, event: 'Signed Up' })) }),
  });

interface Run {
  id: string;
  status: string;
  stepId: string | null;
  rootId: string;
}

const runsOf = async (base: string, automationId: string): Promise<Run[]> => ((await (await admin(base, `/automations/${automationId}/runs?limit=200`)).json()) as { items: Run[] }).items;

describe('automation runs across a SIGKILL', () => {
  it('loses no run, delivers each run’s webhook once (by id), and ends every wait on time', { timeout: 60_000 }, async () => {
    // The first HELD deliveries get no answer until the collector has been killed: in flight.
    let holding = true;
    const held: (() => void)[] = [];
    const receiver = await startReceiver((_request, index) => (holding && index < HELD ? new Promise<number>((answer) => held.push(() => answer(200))) : 200));
    const dbPath = join(dir, 'hark.db');
    try {
      let hark = await startCollector(dbPath);
      const created = await admin(hark.base, '/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url, events: ['Never Sent'] }) });
      expect(created.status).toBe(201);
      const webhook = (await created.json()) as { id: string };
      const made = await admin(hark.base, '/automations', {
        method: 'POST',
        body: JSON.stringify({
          name: 'Welcome hook',
          status: 'live',
          entry: 'every_time',
          trigger: { type: 'event', event: 'Signed Up' },
          steps: [
            { id: 'w', type: 'wait', duration: { amount: WAIT_MS / 1000, unit: 'seconds' }, next: 'hook' },
            { id: 'hook', type: 'action', action: { type: 'webhook', webhook: webhook.id } },
          ],
        }),
      });
      expect(made.status, await made.clone().text()).toBe(201);
      const automation = (await made.json()) as { id: string };

      // First wave: their waits end, their deliveries go out; HELD of them are held open.
      expect((await signUp(hark.base, 0, FIRST_WAVE)).status).toBe(200);
      await vi.waitFor(() => expect(receiver.received.length).toBeGreaterThanOrEqual(HELD), { timeout: 15_000, interval: 20 });
      // Second wave: their runs enter and wait (the held deliveries leave slots for them).
      const waitingFrom = async (from: number, count: number) =>
        vi.waitFor(
          async () => {
            const runs = await runsOf(hark.base, automation.id);
            const wave = runs.filter((r) => Number(r.rootId.split('-')[1]) >= from);
            expect(wave.filter((r) => r.status === 'waiting' && r.stepId === 'w')).toHaveLength(count);
          },
          { timeout: 10_000, interval: 20 },
        );
      const half = SECOND_WAVE / 2;
      expect((await signUp(hark.base, FIRST_WAVE, half)).status).toBe(200);
      await waitingFrom(FIRST_WAVE, half);
      await new Promise((done) => setTimeout(done, GAP_MS));
      expect((await signUp(hark.base, FIRST_WAVE + half, half)).status).toBe(200);
      await waitingFrom(FIRST_WAVE, SECOND_WAVE);
      const atKill = await runsOf(hark.base, automation.id);
      hark.child.kill('SIGKILL');
      await hark.exited;
      const killedAt = Date.now();
      const inFlight = receiver.received.slice(0, HELD).map((r) => r.id);
      const receivedBeforeKill = receiver.received.length;
      holding = false;
      for (const release of held) release();
      const waitingAtKill = atKill.filter((r) => r.status === 'waiting').length;
      // The kill came while runs waited and deliveries were in flight.
      expect(waitingAtKill).toBeGreaterThanOrEqual(SECOND_WAVE);
      expect(inFlight).toHaveLength(HELD);

      // Down until the first half of the second wave is due: their waits come due while nothing runs.
      const dueTimes = (() => {
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare("SELECT at FROM automation_step_log WHERE step_id = 'w' AND outcome = 'entered'").all() as { at: number }[]).map((row) => row.at + WAIT_MS).sort((a, b) => a - b);
        } finally {
          db.close();
        }
      })();
      const firstDueWhileDown = dueTimes.find((due) => due > killedAt)!;
      await new Promise((done) => setTimeout(done, Math.max(0, firstDueWhileDown + 100 - Date.now())));
      hark = await startCollector(dbPath);
      // The runner starts before the server listens, so "up again" is no later than this.
      const restartedAt = Date.now();
      await vi.waitFor(
        async () => {
          const runs = await runsOf(hark.base, automation.id);
          expect(runs).toHaveLength(FIRST_WAVE + SECOND_WAVE);
          expect(runs.filter((r) => r.status !== 'finished')).toEqual([]);
        },
        { timeout: 20_000, interval: 50 },
      );
      await vi.waitFor(
        async () => {
          const log = (await (await admin(hark.base, `/webhooks/${webhook.id}/deliveries?limit=200`)).json()) as { items: { status: string }[] };
          expect(log.items).toHaveLength(FIRST_WAVE + SECOND_WAVE);
          expect(log.items.filter((d) => d.status !== 'done')).toEqual([]);
        },
        { timeout: 20_000, interval: 100 },
      );
      const runs = await runsOf(hark.base, automation.id);
      hark.child.kill('SIGTERM');
      await hark.exited;

      // No run lost: one per person, each finished by reaching its end.
      expect(new Set(runs.map((r) => r.rootId))).toEqual(new Set(Array.from({ length: FIRST_WAVE + SECOND_WAVE }, (_, i) => `signup-${i}`)));
      expect(runs.every((r) => r.status === 'finished')).toBe(true);

      // Each run's delivery arrived, under one id per run (the step's key starts with the run id).
      const counts = receiver.countsById();
      for (const run of runs) expect([...counts.keys()].filter((id) => id.startsWith(`${run.id}:hook:`)), run.rootId).toHaveLength(1);
      expect(counts.size).toBe(runs.length);
      // An id came twice only if its delivery was in flight at the kill (its answer never reached the collector).
      const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      for (const id of twice) expect(inFlight, `${id} arrived twice but was not in flight at the kill`).toContain(id);
      expect([...counts.values()].every((n) => n <= 2)).toBe(true);
      console.log(
        `[automation kill] ${waitingAtKill} runs waiting and ${inFlight.length} deliveries in flight at the kill; ${receivedBeforeKill} received before it; ` +
          `after the restart ${twice.length} in-flight deliver${twice.length === 1 ? 'y' : 'ies'} arrived again with the same id: ${twice.join(', ') || 'none'}`,
      );

      // Every wait ended on time: never early, and within the poll interval (plus slack) of when it
      // came due, or of the restart for the waits that came due while the collector was down.
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        const log = db.prepare("SELECT run_id, outcome, at FROM automation_step_log WHERE step_id = 'w'").all() as { run_id: string; outcome: string; at: number }[];
        const lateness: number[] = [];
        const when = { beforeKill: 0, whileDown: 0, afterRestart: 0 };
        for (const run of runs) {
          const entered = log.find((l) => l.run_id === run.id && l.outcome === 'entered');
          const passed = log.find((l) => l.run_id === run.id && l.outcome === 'next');
          expect(entered && passed, run.rootId).toBeTruthy();
          const due = entered!.at + WAIT_MS;
          expect(passed!.at, `${run.rootId} left its wait early`).toBeGreaterThanOrEqual(due);
          const allowed = Math.max(due, restartedAt) + POLL_MS + LATE_BOUND_MS;
          expect(passed!.at, `${run.rootId} left its wait ${passed!.at - due} ms after it was due`).toBeLessThanOrEqual(allowed);
          lateness.push(passed!.at - Math.max(due, restartedAt));
          when[due < killedAt ? 'beforeKill' : due < restartedAt ? 'whileDown' : 'afterRestart']++;
        }
        // Some waits came due while the collector was down (it stayed down until one did).
        expect(when.whileDown).toBeGreaterThan(0);
        console.log(
          `[automation kill] waits due before the kill ${when.beforeKill}, while down ${when.whileDown}, after the restart ${when.afterRestart}; ` +
            `latest end ${Math.max(...lateness)} ms after due (or the restart); allowed ${POLL_MS + LATE_BOUND_MS} ms`,
        );
      } finally {
        db.close();
      }
    } finally {
      await receiver.close();
    }
  });
});
