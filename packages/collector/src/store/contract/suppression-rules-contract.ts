import { describe, expect, it } from 'vitest';
import type { Rule } from '../../rules/index.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const CHURNED = { type: 'trait', trait: 'churned', op: 'equals', value: true } as unknown as Rule;
const STAFF = { type: 'trait', trait: 'staff', op: 'equals', value: true } as unknown as Rule;

/**
 * Suppression rules (issue 11) on every store: kept as given, listed oldest first, and the
 * enabled ones (`live`, read on every eligibility request through a cache) see each write at once.
 */
export function defineSuppressionRulesContract(current: () => { store: Store; project: Project }): void {
  describe('suppression rules', () => {
    it('keeps rules as given, lists them oldest first, and edits and removes them', async () => {
      const { store, project } = current();
      const churned = await store.suppressionRules.create(project.id, { name: 'Churned', rules: CHURNED }, T0);
      const staff = await store.suppressionRules.create(project.id, { name: 'Staff', rules: STAFF, enabled: false }, T0 + 1);
      expect(churned).toMatchObject({ name: 'Churned', rules: CHURNED, enabled: true, createdAt: new Date(T0).toISOString() });
      expect((await store.suppressionRules.list(project.id)).map((r) => r.name)).toEqual(['Churned', 'Staff']);
      expect(await store.suppressionRules.get(project.id, staff.id)).toEqual(staff);

      const renamed = await store.suppressionRules.update(project.id, churned.id, { name: 'Churned users' }, T0 + 5);
      expect(renamed).toMatchObject({ name: 'Churned users', rules: CHURNED, enabled: true, updatedAt: new Date(T0 + 5).toISOString() });
      expect(await store.suppressionRules.update(project.id, 'no-such-rule', { name: 'X' }, T0)).toBeNull();
      expect(await store.suppressionRules.remove(project.id, staff.id)).toBe(true);
      expect(await store.suppressionRules.remove(project.id, staff.id)).toBe(false);
      expect(await store.suppressionRules.get(project.id, staff.id)).toBeNull();
      expect(await store.suppressionRules.list('another-project')).toEqual([]);
    });

    it('serves the enabled rules, and sees every change at once', async () => {
      const { store, project } = current();
      expect(await store.suppressionRules.live(project.id)).toEqual([]);
      const churned = await store.suppressionRules.create(project.id, { name: 'Churned', rules: CHURNED }, T0);
      expect((await store.suppressionRules.live(project.id)).map((r) => r.id)).toEqual([churned.id]);
      await store.suppressionRules.update(project.id, churned.id, { enabled: false }, T0 + 1);
      expect(await store.suppressionRules.live(project.id)).toEqual([]);
      await store.suppressionRules.update(project.id, churned.id, { enabled: true, rules: STAFF }, T0 + 2);
      expect((await store.suppressionRules.live(project.id)).map((r) => r.rules)).toEqual([STAFF]);
      await store.suppressionRules.remove(project.id, churned.id);
      expect(await store.suppressionRules.live(project.id)).toEqual([]);
    });
  });
}
