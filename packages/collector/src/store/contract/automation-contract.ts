import { describe, expect, it } from 'vitest';
import type { AutomationInput } from '../../automations/automation-types.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';
import { identifyPerson } from './contract-people.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');

const definition = (fields: Partial<AutomationInput> = {}): AutomationInput => ({
  name: 'Welcome',
  status: 'draft',
  trigger: { type: 'event', event: 'Signed Up' },
  entry: 'once',
  exit: { goal: { event: 'Upgraded' } },
  steps: [
    { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'tag' },
    { id: 'tag', type: 'action', action: { type: 'update_traits', traits: { welcomed: true } }, next: null },
  ],
  ...fields,
});

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Automations (automation-store.ts) on every store: definitions kept as given, listed newest
 * first with their run counts, and the live ones (`live`, read on every ingest batch through a
 * cache) seeing each write at once; runs written through the unit of work (`tx.runs`, as
 * run-automation.ts writes them) and read back through `store.automations`, with the step log,
 * stats, kinds and grants; and the entry decision holding when entries race.
 */
export function defineAutomationContract(current: () => { store: Store; project: Project }): void {
  describe('automations', () => {
    it('keeps definitions as given, pages them newest first with run counts, replaces and removes them', async () => {
      const { store, project } = current();
      const welcome = await store.automations.create(project.id, definition(), T0);
      const nudge = await store.automations.create(project.id, definition({ name: 'Nudge', trigger: { type: 'manual' } }), T0 + 1);
      expect(welcome).toMatchObject({ ...definition(), projectId: project.id, createdAt: new Date(T0).toISOString() });
      expect(await store.automations.get(project.id, welcome.id)).toEqual(welcome);
      expect(await store.automations.get('another-project', welcome.id)).toBeNull();

      const page = await store.automations.list(project.id, { limit: 1, cursor: null });
      expect(page.items).toEqual([{ ...nudge, runs: { total: 0, active: 0, waiting: 0, finished: 0, exited: 0, failed: 0, conversions: 0 } }]);
      expect((await store.automations.list(project.id, { limit: 1, cursor: page.nextCursor })).items.map((a) => a.id)).toEqual([welcome.id]);

      const replaced = await store.automations.update(project.id, welcome.id, definition({ name: 'Welcome v2', steps: [{ id: 'end', type: 'exit' }] }), T0 + 5);
      expect(replaced).toMatchObject({ name: 'Welcome v2', steps: [{ id: 'end', type: 'exit' }], updatedAt: new Date(T0 + 5).toISOString() });
      expect(await store.automations.update(project.id, 'no-such', definition(), T0)).toBeNull();
      expect(await store.automations.remove(project.id, nudge.id)).toBe(true);
      expect(await store.automations.remove(project.id, nudge.id)).toBe(false);
      expect(await store.automations.get(project.id, nudge.id)).toBeNull();
    });

    it('serves the live automations, and sees every change at once', async () => {
      const { store, project } = current();
      expect(await store.automations.live(project.id)).toEqual([]);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      await store.automations.create(project.id, definition({ name: 'Draft' }), T0);
      expect((await store.automations.live(project.id)).map((a) => a.id)).toEqual([welcome.id]);
      await store.automations.update(project.id, welcome.id, definition({ status: 'paused' }), T0 + 1);
      expect(await store.automations.live(project.id)).toEqual([]);
      await store.automations.update(project.id, welcome.id, definition({ status: 'live', name: 'Back' }), T0 + 2);
      expect((await store.automations.live(project.id)).map((a) => a.name)).toEqual(['Back']);
      await store.automations.remove(project.id, welcome.id);
      expect(await store.automations.live(project.id)).toEqual([]);
    });

    it('answers no runs, no stats and no grants for an automation nobody entered', async () => {
      const { store, project } = current();
      const person = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      expect(await store.automations.listRuns(project.id, welcome.id, { limit: 10, cursor: null, status: 'active' })).toEqual({ items: [], nextCursor: null });
      expect(await store.automations.runsForPerson(project.id, person)).toEqual([]);
      expect(await store.automations.stats(project.id, welcome.id)).toEqual({ entered: 0, conversions: 0, steps: {} });
      expect(await store.automations.messageGrants(project.id, person, ['m-1'])).toEqual(new Map());
      expect(await store.automations.runs.parked(project.id, welcome.id)).toEqual([]);
    });

    it('writes runs in a unit of work and reads them back: get, update, countFor, openFor, parked', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      const run = { id: 'run-1', automationId: welcome.id, personId: ana, stepId: 'wait', visit: 1, rootId: 'root-1', at: T0 };
      await store.transact(1, async (tx) => {
        await tx.runs.insert(project.id, run);
        // The same run entered again (a retried entry job) is one run.
        await tx.runs.insert(project.id, { ...run, stepId: 'tag', at: T0 + 1 });
      });
      const runs = store.automations.runs;
      expect(await runs.get(project.id, 'run-1')).toEqual({
        id: 'run-1', automationId: welcome.id, personId: ana, status: 'active', stepId: 'wait', visit: 1, reason: null, rootId: 'root-1',
        waitingFor: null, enteredAt: iso(T0), finishedAt: null,
      });
      expect(await runs.get('another-project', 'run-1')).toBeNull();
      expect(await runs.countFor(project.id, welcome.id, ana)).toEqual({ ever: 1, open: 1 });

      await store.transact(1, async (tx) => tx.runs.update(project.id, 'run-1', { status: 'waiting', visit: 2, waitingFor: { event: 'Upgraded', until: T0 + 100 } }));
      expect(await runs.get(project.id, 'run-1')).toMatchObject({ status: 'waiting', stepId: 'wait', visit: 2, waitingFor: { event: 'Upgraded', until: T0 + 100 } });
      expect((await runs.openFor(project.id, ana)).map((r) => r.id)).toEqual(['run-1']);
      // An empty patch writes nothing and is no error.
      await store.transact(1, async (tx) => tx.runs.update(project.id, 'run-1', {}));

      await store.transact(1, async (tx) => tx.runs.update(project.id, 'run-1', { status: 'finished', reason: 'completed', stepId: null, waitingFor: null, finishedAt: T0 + 5 }));
      expect(await runs.get(project.id, 'run-1')).toMatchObject({ status: 'finished', reason: 'completed', stepId: null, waitingFor: null, finishedAt: iso(T0 + 5) });
      expect(await runs.countFor(project.id, welcome.id, ana)).toEqual({ ever: 1, open: 0 });
      expect(await runs.openFor(project.id, ana)).toEqual([]);

      await store.transact(1, async (tx) => {
        await tx.runs.insert(project.id, { ...run, id: 'run-2', rootId: 'root-2', at: T0 + 10 });
        await tx.runs.update(project.id, 'run-2', { status: 'waiting', reason: 'paused' });
      });
      expect((await runs.parked(project.id, welcome.id)).map((r) => r.id)).toEqual(['run-2']);
      expect(await store.automations.runsForPerson(project.id, ana)).toMatchObject([
        { id: 'run-2', automationName: 'Welcome', status: 'waiting' },
        { id: 'run-1', automationName: 'Welcome', status: 'finished' },
      ]);
    });

    it('rolls a run back with the unit that wrote it', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      await expect(store.transact(1, async (tx) => {
        await tx.runs.insert(project.id, { id: 'run-lost', automationId: welcome.id, personId: ana, stepId: 'wait', visit: 1, rootId: 'root', at: T0 });
        await tx.runs.log(project.id, welcome.id, 'run-lost', 1, 'wait', 'entered', T0);
        throw new Error('the step failed');
      })).rejects.toThrow('the step failed');
      expect(await store.automations.runs.get(project.id, 'run-lost')).toBeNull();
      expect(await store.automations.stats(project.id, welcome.id)).toEqual({ entered: 0, conversions: 0, steps: {} });
    });

    it('logs each step outcome once per run × visit, and counts stats, runs and step passes from it', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const bo = await identifyPerson(store, project.id, { userId: 'bo' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      const base = { automationId: welcome.id, stepId: 'wait', visit: 1 };
      await store.transact(1, async (tx) => {
        await tx.runs.insert(project.id, { ...base, id: 'run-a', personId: ana, rootId: 'root-a', at: T0 });
        await tx.runs.insert(project.id, { ...base, id: 'run-b', personId: bo, rootId: 'root-b', at: T0 + 1 });
        for (const id of ['run-a', 'run-b']) await tx.runs.log(project.id, welcome.id, id, 1, 'wait', 'entered', T0);
        // A retried step logs again: still once.
        await tx.runs.log(project.id, welcome.id, 'run-a', 1, 'wait', 'entered', T0 + 2);
        await tx.runs.log(project.id, welcome.id, 'run-a', 1, 'wait', 'next', T0 + 3);
        await tx.runs.update(project.id, 'run-a', { stepId: 'tag', visit: 2 });
        await tx.runs.log(project.id, welcome.id, 'run-a', 2, 'tag', 'entered', T0 + 3);
        await tx.runs.update(project.id, 'run-a', { status: 'exited', reason: 'goal', stepId: null, finishedAt: T0 + 4 });
        await tx.runs.update(project.id, 'run-b', { status: 'waiting', visit: 2 });
      });
      expect(await store.automations.stats(project.id, welcome.id)).toEqual({
        entered: 2,
        conversions: 1,
        steps: {
          wait: { entered: 2, waiting: 1, passed: 1, edges: { next: 1 } },
          tag: { entered: 1, waiting: 0, passed: 0, edges: {} },
        },
      });
      expect(await store.automations.stepPasses(project.id, welcome.id, ['wait', 'tag'])).toEqual([
        { runId: 'run-a', stepId: 'wait', at: T0 + 3, reason: 'goal', finishedAt: T0 + 4 },
      ]);
      expect(await store.automations.stepPasses(project.id, welcome.id, [])).toEqual([]);

      const first = await store.automations.listRuns(project.id, welcome.id, { limit: 1, cursor: null });
      expect(first.items.map((r) => r.id)).toEqual(['run-b']);
      expect((await store.automations.listRuns(project.id, welcome.id, { limit: 1, cursor: first.nextCursor })).items.map((r) => r.id)).toEqual(['run-a']);
      expect((await store.automations.listRuns(project.id, welcome.id, { limit: 10, cursor: null, status: 'exited' })).items.map((r) => r.id)).toEqual(['run-a']);
      expect((await store.automations.list(project.id, { limit: 10, cursor: null })).items[0]!.runs).toEqual({ total: 2, active: 0, waiting: 1, finished: 0, exited: 1, failed: 0, conversions: 1 });

      // Removing the automation removes its runs and their log.
      await store.automations.remove(project.id, welcome.id);
      expect(await store.automations.runs.get(project.id, 'run-a')).toBeNull();
      expect(await store.automations.stats(project.id, welcome.id)).toEqual({ entered: 0, conversions: 0, steps: {} });
    });

    it('remembers the kind automations last saw, and the newest grant of each message', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const runs = store.automations.runs;
      expect(await runs.knownKind(project.id, ana)).toBeNull();
      await store.transact(1, async (tx) => tx.runs.setKnownKind(project.id, ana, 'lead'));
      expect(await runs.knownKind(project.id, ana)).toBe('lead');
      await store.transact(1, async (tx) => {
        expect(await tx.runs.knownKind(project.id, ana)).toBe('lead');
        await tx.runs.setKnownKind(project.id, ana, 'user');
      });
      expect(await runs.knownKind(project.id, ana)).toBe('user');

      await runs.grantMessage(project.id, 'm-1', ana, 'run-1', T0 + 10);
      // An older grant arriving late keeps the newer time; a newer one moves it on.
      await store.transact(1, async (tx) => tx.runs.grantMessage(project.id, 'm-1', ana, 'run-2', T0 + 5));
      expect(await store.automations.messageGrants(project.id, ana, ['m-1', 'm-2'])).toEqual(new Map([['m-1', T0 + 10]]));
      await runs.grantMessage(project.id, 'm-1', ana, 'run-3', T0 + 20);
      await runs.grantMessage(project.id, 'm-2', ana, 'run-3', T0 + 21);
      expect(await store.automations.messageGrants(project.id, ana, ['m-1', 'm-2'])).toEqual(new Map([['m-1', T0 + 20], ['m-2', T0 + 21]]));
      expect(await store.automations.messageGrants(project.id, ana, [])).toEqual(new Map());
      expect(await store.automations.messageGrants(project.id, 'nobody', ['m-1'])).toEqual(new Map());
    });

    it('moves a run once when several units guard the same visit at once (a step job and an event job)', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live' }), T0);
      await store.transact(1, async (tx) => tx.runs.insert(project.id, { id: 'run-1', automationId: welcome.id, personId: ana, stepId: 'wait', visit: 1, rootId: 'root', at: T0 }));
      // run-automation.ts's guard: still at this visit? then move on. A read between the check and
      // the write, so that, without the run locked, the units would interleave there.
      const moveOn = (outcome: string) =>
        store.transact(1, async (tx) => {
          const run = await tx.runs.get(project.id, 'run-1');
          if (run?.visit !== 1) return false;
          await tx.runs.openFor(project.id, ana);
          await tx.runs.log(project.id, welcome.id, 'run-1', 1, 'wait', outcome, T0);
          await tx.runs.update(project.id, 'run-1', { visit: 2, stepId: 'tag' });
          return true;
        });
      const moved = await Promise.all(['next', 'goal', 'onEvent'].map(moveOn));
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect(Object.keys((await store.automations.stats(project.id, welcome.id)).steps.wait!.edges)).toHaveLength(1);
    });

    it('lets one of several entries of one person decided at once pass entry "once"', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana' }, T0);
      const welcome = await store.automations.create(project.id, definition({ status: 'live', entry: 'once' }), T0);
      // The decision run-automation.ts makes on entry, with a read between the count and the
      // insert so that, without a lock, the units would interleave there.
      const enterOnce = (runId: string) =>
        store.transact(1, async (tx) => {
          const { ever } = await tx.runs.countFor(project.id, welcome.id, ana);
          if (ever > 0) return false;
          await tx.runs.get(project.id, runId);
          await tx.runs.insert(project.id, { id: runId, automationId: welcome.id, personId: ana, stepId: 'wait', visit: 1, rootId: runId, at: T0 });
          return true;
        });
      const entered = await Promise.all(['e-1', 'e-2', 'e-3', 'e-4', 'e-5'].map(enterOnce));
      expect(entered.filter(Boolean)).toHaveLength(1);
      expect(await store.automations.runs.countFor(project.id, welcome.id, ana)).toEqual({ ever: 1, open: 1 });
    });
  });
}
