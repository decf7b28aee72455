import { describe, expect, it } from 'vitest';
import { actionFor } from '../src/http/admin-access.js';
import { canDo, hashPassword, sessionState, SESSION_IDLE_MS, TOUCH_EVERY_MS, verifyPassword } from '../src/team/index.js';

describe('the permission table', () => {
  it('lets agents read and edit traits, managers all but team, keys and settings, admins everything', () => {
    const rows = (['read', 'self', 'people.traits', 'content.write', 'secrets.read', 'settings.write', 'keys.rotate', 'team.manage'] as const).map(
      (action) => `${action}: ${(['agent', 'manager', 'admin'] as const).filter((role) => canDo(role, action)).join(' ')}`,
    );
    expect(rows).toEqual([
      'read: agent manager admin',
      'self: agent manager admin',
      'people.traits: agent manager admin',
      'content.write: manager admin',
      'secrets.read: admin',
      'settings.write: admin',
      'keys.rotate: admin',
      'team.manage: admin',
    ]);
  });

  it('maps each admin route to what it does, writes not listed needing a manager', () => {
    expect(actionFor('GET', '/project')).toBe('read');
    expect(actionFor('PATCH', '/project')).toBe('settings.write');
    expect(actionFor('POST', '/project/keys/rotate')).toBe('keys.rotate');
    expect(actionFor('POST', '/team/invites')).toBe('team.manage');
    expect(actionFor('DELETE', '/team/members/m1')).toBe('team.manage');
    expect(actionFor('GET', '/team/members')).toBe('read');
    expect(actionFor('PATCH', '/people/p1')).toBe('people.traits');
    expect(actionFor('DELETE', '/people/p1')).toBe('content.write');
    expect(actionFor('POST', '/messages')).toBe('content.write');
    expect(actionFor('POST', '/segments')).toBe('content.write');
    expect(actionFor('PATCH', '/me')).toBe('self');
    expect(actionFor('POST', '/session/logout-everywhere')).toBe('self');
  });
});

describe('sessions and passwords', () => {
  it('keeps a session while used within 30 days, writing its last use at most once a minute', () => {
    const session = { tokenHash: 'h', projectId: 'p', memberId: 'm', csrfToken: 'c', createdAt: 0, lastUsedAt: 1000 };
    expect(sessionState(session, 1000 + TOUCH_EVERY_MS - 1)).toBe('live');
    expect(sessionState(session, 1000 + TOUCH_EVERY_MS)).toBe('touch');
    expect(sessionState(session, 1000 + SESSION_IDLE_MS - 1)).toBe('touch');
    expect(sessionState(session, 1000 + SESSION_IDLE_MS)).toBe('expired');
  });

  it('hashes with scrypt at N=2^15, r=8, a random salt, and verifies only the same password', async () => {
    const [first, second] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('correct horse battery', first)).toBe(true);
    expect(await verifyPassword('correct horse batterY', first)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'scrypt$1$1$1$x$y')).toBe(false);
  }, 30_000);
});
