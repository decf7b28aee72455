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

/**
 * Automation definitions (automation-store.ts) on every store: kept as given, listed newest
 * first with their run counts, and the live ones (`live`, read on every ingest batch through a
 * cache) seeing each write at once. The run rows are held to the automation tests on SQLite
 * (test/automations.test.ts); on PostgreSQL they are not written yet (docs/SCALING.md).
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
  });
}
