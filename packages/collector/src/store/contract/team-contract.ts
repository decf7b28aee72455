import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import type { InviteRecord, MemberRecord, SessionRecord, TeamRole } from '../team-store.js';
import type { Project } from '../types.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const HOUR = 3_600_000;

/**
 * The team store's atomic steps (team-store.ts), held to the same rules on every store: the
 * rules that read then write (only one first member, an invite accepted once, always one admin
 * left) are one step each, and on PostgreSQL they lock what SQLite's single writer made atomic.
 * Called inside defineStoreContract, which opens a fresh store and project before each test.
 */
export function defineTeamContract(current: () => { store: Store; project: Project }): void {
  describe('team', () => {
    let sequence = 0;
    const member = (role: TeamRole, fields: Partial<MemberRecord> = {}): MemberRecord => {
      const n = ++sequence;
      return { id: `m-${n}`, projectId: current().project.id, email: `member${n}@acme.test`, name: `Member ${n}`, role, timeZone: 'Europe/Paris', passwordHash: `hash-${n}`, createdAt: T0 + n, ...fields };
    };
    const invite = (email: string, fields: Partial<InviteRecord> = {}): InviteRecord => {
      const n = ++sequence;
      return { id: `i-${n}`, projectId: current().project.id, email, role: 'agent', tokenHash: `invite-hash-${n}`, invitedBy: null, createdAt: T0 + n, expiresAt: T0 + 48 * HOUR, ...fields };
    };
    const session = (memberId: string, tokenHash: string): SessionRecord => ({ tokenHash, projectId: current().project.id, memberId, csrfToken: `csrf-${tokenHash}`, createdAt: T0, lastUsedAt: T0 });

    it('creates the first member once, with the pending setup token only, and keeps an email to one account', async () => {
      const { store, project } = current();
      await store.team.setSetupToken(project.id, 'setup-hash', T0);
      expect(await store.team.setupPending()).toBe(true);
      expect(await store.team.findSetupToken('setup-hash')).toBe(project.id);
      const first = member('admin', { email: 'ada@acme.test' });
      expect(await store.team.createFirstMember(first, 'wrong-hash')).toBe('invalid_token');
      expect(await store.team.createFirstMember(first, 'setup-hash')).toBe('ok');
      expect(await store.team.createFirstMember(member('admin'), 'setup-hash')).not.toBe('ok');
      expect(await store.team.createFirstMember(member('admin'), null)).toBe('not_first');
      expect(await store.team.setupPending()).toBe(false);
      expect(await store.team.countMembers(project.id)).toBe(1);
      expect(await store.team.findMemberByEmail('ada@acme.test')).toEqual(first);
      expect(await store.team.getMember(project.id, first.id)).toEqual(first);

      const second = member('agent');
      expect(await store.team.acceptInvite('no-such-invite', second)).toBe('gone');
      await store.team.createInvite(invite(second.email));
      const [pending] = await store.team.listInvites(project.id, T0);
      expect(await store.team.acceptInvite(pending!.id, { ...second, email: 'ada@acme.test' })).toBe('email_taken');
      expect(await store.team.updateMember(project.id, first.id, { email: second.email })).toBe('ok');
      expect(await store.team.updateMember(project.id, 'm-nobody', { name: 'X' })).toBe('not_found');
      expect(await store.team.updateMember(project.id, first.id, { name: 'Ada L.' })).toBe('ok');
      expect((await store.team.getMember(project.id, first.id))!.name).toBe('Ada L.');
    });

    it('accepts an invite once, replaces a pending one for the same email, and lists only those not expired', async () => {
      const { store, project } = current();
      await store.team.createFirstMember(member('admin'), null);
      await store.team.createInvite(invite('bo@acme.test', { role: 'agent' }));
      const replacing = invite('bo@acme.test', { role: 'manager' });
      await store.team.createInvite(replacing);
      await store.team.createInvite(invite('old@acme.test', { expiresAt: T0 + HOUR }));
      expect((await store.team.listInvites(project.id, T0 + 2 * HOUR)).map((i) => [i.email, i.role])).toEqual([['bo@acme.test', 'manager']]);
      expect(await store.team.findInvite(replacing.tokenHash)).toEqual(replacing);

      const bo = member('manager', { email: 'bo@acme.test' });
      expect(await store.team.acceptInvite(replacing.id, bo)).toBe('ok');
      expect(await store.team.acceptInvite(replacing.id, member('manager'))).toBe('gone');
      expect(await store.team.findInvite(replacing.tokenHash)).toBeNull();
      expect((await store.team.listMembers(project.id)).map((m) => m.email)).toContain('bo@acme.test');
      const other = invite('cy@acme.test');
      await store.team.createInvite(other);
      expect(await store.team.deleteInvite(project.id, other.id)).toBe(true);
      expect(await store.team.deleteInvite(project.id, other.id)).toBe(false);
    });

    it('always keeps one admin, and ends a removed member’s sessions', async () => {
      const { store, project } = current();
      const admin = member('admin');
      await store.team.createFirstMember(admin, null);
      expect(await store.team.setRole(project.id, admin.id, 'agent')).toBe('last_admin');
      expect(await store.team.removeMember(project.id, admin.id)).toBe('last_admin');
      expect(await store.team.setRole(project.id, 'm-nobody', 'agent')).toBe('not_found');

      const invited = invite('second@acme.test', { role: 'admin' });
      await store.team.createInvite(invited);
      const second = member('admin', { email: 'second@acme.test' });
      expect(await store.team.acceptInvite(invited.id, second)).toBe('ok');
      await store.team.createSession(session(second.id, 'token-a'));
      await store.team.createSession(session(second.id, 'token-b'));
      await store.team.touchSession('token-a', T0 + HOUR);
      expect((await store.team.findSession('token-a'))!.lastUsedAt).toBe(T0 + HOUR);
      expect(await store.team.deleteMemberSessions(project.id, second.id, 'token-a')).toBe(1);
      expect(await store.team.findSession('token-b')).toBeNull();

      expect(await store.team.setRole(project.id, admin.id, 'agent')).toBe('ok');
      expect(await store.team.removeMember(project.id, second.id)).toBe('last_admin');
      expect(await store.team.setRole(project.id, admin.id, 'admin')).toBe('ok');
      expect(await store.team.removeMember(project.id, second.id)).toBe('ok');
      expect(await store.team.findSession('token-a')).toBeNull();
      expect(await store.team.getMember(project.id, second.id)).toBeNull();
      expect(await store.team.countMembers(project.id)).toBe(1);
    });
  });
}
