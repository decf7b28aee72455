import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../cursor.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';
import { identifyPerson } from './contract-people.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');

/**
 * Companies as the admin API manages them (company-store.ts) on every store: the rows `group`
 * calls also write, the search and pages, trait edits, and who belongs — found by any id, or
 * made a lead from a contact by the one contact rule (audiences/contact-rules.ts).
 */
export function defineCompanyContract(current: () => { store: Store; project: Project }): void {
  describe('companies', () => {
    it('creates once per id, searches by id or name, pages newest first, edits traits and removes', async () => {
      const { store, project } = current();
      const acme = await store.companies.create(project.id, 'acme', { name: 'Acme 50% Off', plan: 'pro' }, T0);
      expect(acme).toMatchObject({ id: 'acme', name: 'Acme 50% Off', traits: { plan: 'pro' }, size: 0, createdAt: new Date(T0).toISOString() });
      expect(await store.companies.create(project.id, 'acme', { name: 'Again' }, T0)).toBeNull();
      await store.companies.create(project.id, 'globex', { name: 'Globex' }, T0 + 1);
      await store.companies.create(project.id, 'initech', {}, T0 + 2);

      const page = await store.companies.list(project.id, { limit: 2, cursor: null });
      expect(page.items.map((c) => c.id)).toEqual(['initech', 'globex']);
      expect((await store.companies.list(project.id, { limit: 2, cursor: page.nextCursor })).items.map((c) => c.id)).toEqual(['acme']);
      await expect(store.companies.list(project.id, { limit: 2, cursor: 'nope' })).rejects.toThrow(InvalidCursorError);
      expect((await store.companies.list(project.id, { limit: 10, cursor: null, search: 'GLOB' })).items.map((c) => c.id)).toEqual(['globex']);
      expect((await store.companies.list(project.id, { limit: 10, cursor: null, search: '50%' })).items.map((c) => c.id)).toEqual(['acme']);
      expect((await store.companies.list(project.id, { limit: 10, cursor: null, search: '0_' })).items).toEqual([]);
      expect((await store.companies.list(project.id, { limit: 10, cursor: null, search: 'itec' })).items.map((c) => c.id)).toEqual(['initech']);

      const edited = await store.companies.update(project.id, 'acme', { plan: null, seats: 12 }, T0 + 5);
      expect(edited).toMatchObject({ traits: { name: 'Acme 50% Off', seats: 12 }, updatedAt: new Date(T0 + 5).toISOString() });
      expect(edited!.traits).not.toHaveProperty('plan');
      expect(await store.companies.update(project.id, 'nobody', { plan: 'x' }, T0)).toBeNull();
      expect(await store.companies.remove(project.id, 'globex')).toBe(true);
      expect(await store.companies.remove(project.id, 'globex')).toBe(false);
      expect(await store.companies.get(project.id, 'globex')).toBeNull();
      expect(await store.companies.get('another-project', 'acme')).toBeNull();
    });

    it('adds people by any id or as a new lead from a contact, once each, and removes them', async () => {
      const { store, project } = current();
      const ana = await identifyPerson(store, project.id, { userId: 'ana', traits: { email: 'ana@acme.test' } }, T0);
      await store.companies.create(project.id, 'acme', { name: 'Acme' }, T0);

      expect(await store.companies.addPerson(project.id, 'acme', { email: 'ana@acme.test' }, T0 + 1)).toMatchObject({ status: 'added', person: { id: ana }, created: false });
      expect(await store.companies.addPerson(project.id, 'acme', { userId: 'ana' }, T0 + 1)).toMatchObject({ status: 'already_member', person: { id: ana } });
      expect(await store.companies.addPerson(project.id, 'acme', { id: 'nobody' }, T0)).toEqual({ status: 'no_person' });
      expect(await store.companies.addPerson(project.id, 'no-such', { id: ana }, T0)).toEqual({ status: 'no_company' });

      const lead = await store.companies.addPerson(project.id, 'acme', { contact: { email: 'bo@acme.test', name: 'Bo', phone: '+33 1' } }, T0 + 2);
      expect(lead).toMatchObject({ status: 'added', created: true, person: { kind: 'lead', email: 'bo@acme.test', traits: { name: 'Bo', phone: '+33 1' } } });
      const again = await store.companies.addPerson(project.id, 'acme', { contact: { email: 'bo@acme.test', name: 'Someone else' } }, T0 + 3);
      // An existing contact is found, not changed, by being added to a company.
      expect(again).toMatchObject({ status: 'already_member', created: false, person: { traits: { name: 'Bo' } } });
      const boId = lead.status === 'added' ? lead.person.id : '';
      expect(await store.lookupPerson(project.id, { email: 'bo@acme.test' })).toMatchObject({ id: boId, companies: [{ id: 'acme' }] });
      expect(await store.companies.get(project.id, 'acme')).toMatchObject({ size: 2 });

      expect(await store.companies.removePerson(project.id, 'acme', ana)).toBe(true);
      expect(await store.companies.removePerson(project.id, 'acme', ana)).toBe(false);
      expect(await store.companies.remove(project.id, 'acme')).toBe(true);
      // The people stay.
      expect((await store.getPerson(project.id, boId))!.companies).toEqual([]);
    });

    it('refuses a contact whose email was erased, and joins a contact’s company by name or makes it', async () => {
      const { store, project } = current();
      const gone = await identifyPerson(store, project.id, { userId: 'gone', traits: { email: 'gone@acme.test' } }, T0);
      await store.erasePerson(project.id, gone);
      await store.companies.create(project.id, 'acme', { name: 'Acme Inc' }, T0);
      expect(await store.companies.addPerson(project.id, 'acme', { contact: { email: 'gone@acme.test', name: 'Gone' } }, T0 + 1)).toMatchObject({ status: 'rejected' });

      const cy = await store.companies.addPerson(project.id, 'acme', { contact: { email: 'cy@acme.test', name: 'Cy', company: 'acme inc' } }, T0 + 2);
      // The contact's own company is this one, by name: saving the contact already made them a member.
      expect(cy).toMatchObject({ status: 'already_member', created: true });
      const dee = await store.companies.addPerson(project.id, 'acme', { contact: { email: 'dee@acme.test', name: 'Dee', company: 'Initech' } }, T0 + 3);
      const deeCompanies = (await store.lookupPerson(project.id, { email: 'dee@acme.test' }))!.companies.map((c) => c.name).sort();
      expect(dee).toMatchObject({ status: 'added' });
      expect(deeCompanies).toEqual(['Acme Inc', 'Initech']);
      expect(await store.companies.get(project.id, 'acme')).toMatchObject({ size: 2 });
      expect((await store.companies.list(project.id, { limit: 10, cursor: null, search: 'initech' })).items).toMatchObject([{ name: 'Initech', size: 1 }]);
    });

    it('serves the companies group calls wrote, and a merged-away id reaches the survivor', async () => {
      const { store, project } = current();
      const user = await identifyPerson(store, project.id, { userId: 'eve' }, T0);
      const visitor = await identifyPerson(store, project.id, { anonymousId: 'anon-eve' }, T0);
      await identifyPerson(store, project.id, { anonymousId: 'anon-eve', userId: 'eve' }, T0 + 1);
      await store.companies.create(project.id, 'umbrella', { name: 'Umbrella' }, T0);
      expect(await store.companies.addPerson(project.id, 'umbrella', { id: visitor }, T0 + 2)).toMatchObject({ status: 'added', person: { id: user } });
      expect(await store.companies.removePerson(project.id, 'umbrella', visitor)).toBe(true);
    });
  });
}
