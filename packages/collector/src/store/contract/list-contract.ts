import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../cursor.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';
import { identifyPerson } from './contract-people.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');

/**
 * Static lists (list-store.ts) on every store: the rows, the counts a change answers, merged-away
 * ids answering as the survivor, pages newest first, and erasure leaving no list row behind.
 */
export function defineListContract(current: () => { store: Store; project: Project }): void {
  describe('lists', () => {
    it('creates, renames, pages newest first and removes lists', async () => {
      const { store, project } = current();
      const first = await store.lists.create(project.id, 'Beta testers', T0);
      const second = await store.lists.create(project.id, 'Webinar', T0 + 1);
      const third = await store.lists.create(project.id, 'Churn risk', T0 + 2);
      expect(first).toMatchObject({ name: 'Beta testers', size: 0, createdAt: new Date(T0).toISOString() });
      const page = await store.lists.list(project.id, { limit: 2, cursor: null });
      expect(page.items.map((l) => l.id)).toEqual([third.id, second.id]);
      const rest = await store.lists.list(project.id, { limit: 2, cursor: page.nextCursor });
      expect(rest).toEqual({ items: [first], nextCursor: null });
      await expect(store.lists.list(project.id, { limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(InvalidCursorError);

      expect(await store.lists.rename(project.id, first.id, 'Beta', T0 + 5)).toMatchObject({ name: 'Beta', updatedAt: new Date(T0 + 5).toISOString() });
      expect(await store.lists.rename(project.id, 'no-such-list', 'X', T0)).toBeNull();
      expect(await store.lists.get('another-project', first.id)).toBeNull();
      expect(await store.lists.remove(project.id, second.id)).toBe(true);
      expect(await store.lists.remove(project.id, second.id)).toBe(false);
      expect(await store.lists.get(project.id, second.id)).toBeNull();
    });

    it('adds and removes people once each, by current id, and lists the most recently added first', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana', traits: { email: 'ana@acme.test' } }, T0);
      const bo = await identifyPerson(store, project.id, { userId: 'bo' }, T0);
      const list = await store.lists.create(project.id, 'Beta', T0);

      expect(await store.lists.addPeopleToList(project.id, list.id, [ana, ana, 'nobody'], T0 + 1)).toBe(1);
      expect(await store.lists.addPeopleToList(project.id, list.id, [ana, bo], T0 + 2)).toBe(1);
      expect(await store.lists.get(project.id, list.id)).toMatchObject({ size: 2, updatedAt: new Date(T0 + 2).toISOString() });
      expect(await store.lists.addPeopleToList(project.id, 'no-such-list', [ana], T0)).toBe(0);
      const page = await store.lists.people(project.id, list.id, { limit: 1, cursor: null });
      expect(page.items.map((p) => p.id)).toEqual([bo]);
      expect((await store.lists.people(project.id, list.id, { limit: 1, cursor: page.nextCursor })).items.map((p) => p.id)).toEqual([ana]);

      expect(await store.lists.resolvePeople(project.id, [{ email: 'ana@acme.test' }, { userId: 'bo' }, { id: ana }, { userId: 'nobody' }]))
        .toEqual({ personIds: [ana, bo, ana], missing: [3] });
      expect(await store.lists.removePeopleFromList(project.id, list.id, [bo, bo], T0 + 3)).toBe(1);
      expect(await store.lists.removePeopleFromList(project.id, list.id, [bo], T0 + 4)).toBe(0);
      expect(await store.lists.get(project.id, list.id)).toMatchObject({ size: 1, updatedAt: new Date(T0 + 3).toISOString() });
      expect(await store.lists.remove(project.id, list.id)).toBe(true);
      expect(await store.lists.people(project.id, list.id, { limit: 10, cursor: null })).toEqual({ items: [], nextCursor: null });
    });

    it('keeps a person on a list through a merge, answers them as the survivor, and forgets them on erasure', async () => {
      const { store, project } = current();
      const user = await identifyPerson(store, project.id, { userId: 'cy' }, T0);
      const visitor = await identifyPerson(store, project.id, { anonymousId: 'anon-1' }, T0);
      const list = await store.lists.create(project.id, 'Visitors', T0);
      expect(await store.lists.addPeopleToList(project.id, list.id, [visitor], T0 + 1)).toBe(1);
      expect(await identifyPerson(store, project.id, { anonymousId: 'anon-1', userId: 'cy' }, T0 + 2)).toBe(user);
      expect(visitor).not.toBe(user);

      const members = await store.lists.people(project.id, list.id, { limit: 10, cursor: null });
      expect(members.items.map((p) => p.id)).toEqual([user]);
      expect((await store.lists.resolvePeople(project.id, [{ id: visitor }])).personIds).toEqual([user]);
      // Removing by the survivor takes the row written under the merged-away id.
      expect(await store.lists.removePeopleFromList(project.id, list.id, [visitor], T0 + 3)).toBe(1);
      expect(await store.lists.get(project.id, list.id)).toMatchObject({ size: 0 });
      expect(await store.lists.addPeopleToList(project.id, list.id, [visitor], T0 + 4)).toBe(1);
      expect(await store.lists.people(project.id, list.id, { limit: 10, cursor: null })).toMatchObject({ items: [{ id: user }] });
      await store.erasePerson(project.id, user);
      expect(await store.lists.get(project.id, list.id)).toMatchObject({ size: 0 });
    });
  });
}
