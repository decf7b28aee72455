import type { Database } from 'better-sqlite3';
import { toInvite, toMember, toSession, type InviteRow, type MemberRow, type SessionRow } from '../team-rows.js';
import type { InviteRecord, MemberRecord, SessionRecord, TeamRole, TeamStore } from '../team-store.js';

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/** Team members, sessions, invites and setup tokens for the SQLite store (see TeamStore). */
export function createSqliteTeam(db: Database): TeamStore {
  const MEMBER = 'id, project_id, email, name, role, time_zone, password_hash, created_at';
  const q = {
    count: db.prepare('SELECT count(*) FROM team_members WHERE project_id = ?').pluck(),
    admins: db.prepare("SELECT count(*) FROM team_members WHERE project_id = ? AND role = 'admin'").pluck(),
    byEmail: db.prepare(`SELECT ${MEMBER} FROM team_members WHERE email = ?`),
    byId: db.prepare(`SELECT ${MEMBER} FROM team_members WHERE project_id = ? AND id = ?`),
    list: db.prepare(`SELECT ${MEMBER} FROM team_members WHERE project_id = ? ORDER BY created_at, id`),
    insert: db.prepare(`INSERT INTO team_members (${MEMBER}) VALUES (@id, @projectId, @email, @name, @role, @timeZone, @passwordHash, @createdAt)`),
    update: db.prepare(`UPDATE team_members SET name = coalesce(@name, name), email = coalesce(@email, email),
      time_zone = coalesce(@timeZone, time_zone), password_hash = coalesce(@passwordHash, password_hash)
      WHERE project_id = @projectId AND id = @id`),
    setRole: db.prepare('UPDATE team_members SET role = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM team_members WHERE project_id = ? AND id = ?'),

    insertSession: db.prepare(`INSERT INTO team_sessions (token_hash, project_id, member_id, csrf_token, created_at, last_used_at)
      VALUES (@tokenHash, @projectId, @memberId, @csrfToken, @createdAt, @lastUsedAt)`),
    session: db.prepare('SELECT token_hash, project_id, member_id, csrf_token, created_at, last_used_at FROM team_sessions WHERE token_hash = ?'),
    touch: db.prepare('UPDATE team_sessions SET last_used_at = ? WHERE token_hash = ?'),
    endSession: db.prepare('DELETE FROM team_sessions WHERE token_hash = ?'),
    endMemberSessions: db.prepare('DELETE FROM team_sessions WHERE project_id = ? AND member_id = ? AND token_hash IS NOT ?'),

    dropInviteFor: db.prepare('DELETE FROM team_invites WHERE project_id = ? AND email = ?'),
    insertInvite: db.prepare(`INSERT INTO team_invites (id, project_id, email, role, token_hash, invited_by, created_at, expires_at)
      VALUES (@id, @projectId, @email, @role, @tokenHash, @invitedBy, @createdAt, @expiresAt)`),
    invite: db.prepare('SELECT * FROM team_invites WHERE token_hash = ?'),
    invites: db.prepare('SELECT * FROM team_invites WHERE project_id = ? AND expires_at > ? ORDER BY created_at DESC, id'),
    dropInvite: db.prepare('DELETE FROM team_invites WHERE project_id = ? AND id = ?'),
    dropInviteById: db.prepare('DELETE FROM team_invites WHERE id = ?'),

    setSetup: db.prepare('INSERT OR REPLACE INTO team_setup_tokens (project_id, token_hash, created_at) VALUES (?, ?, ?)'),
    setupProject: db.prepare('SELECT project_id FROM team_setup_tokens WHERE token_hash = ?').pluck(),
    dropSetup: db.prepare('DELETE FROM team_setup_tokens WHERE project_id = ?'),
    setupPending: db
      .prepare('SELECT EXISTS (SELECT 1 FROM team_setup_tokens t WHERE NOT EXISTS (SELECT 1 FROM team_members m WHERE m.project_id = t.project_id))')
      .pluck(),
  };

  const insertMember = (member: MemberRecord): 'ok' | 'email_taken' => {
    try {
      q.insert.run(member);
      return 'ok';
    } catch (error) {
      if (isUniqueViolation(error)) return 'email_taken';
      throw error;
    }
  };

  const createFirstMember = db.transaction((member: MemberRecord, tokenHash: string | null) => {
    if (tokenHash !== null && q.setupProject.get(tokenHash) !== member.projectId) return 'invalid_token' as const;
    if ((q.count.get(member.projectId) as number) > 0) return 'not_first' as const;
    const result = insertMember(member);
    if (result === 'ok') q.dropSetup.run(member.projectId);
    return result;
  });

  const acceptInvite = db.transaction((inviteId: string, member: MemberRecord) => {
    if (q.dropInviteById.run(inviteId).changes === 0) return 'gone' as const;
    const result = insertMember(member);
    // Rolled back with the invite, so a taken email leaves the invite for another try.
    if (result !== 'ok') throw new EmailTaken();
    return result;
  });

  /** A change that would leave the project without an admin is refused inside the same transaction. */
  const guarded = db.transaction((projectId: string, memberId: string, change: () => void): 'ok' | 'not_found' | 'last_admin' => {
    const member = q.byId.get(projectId, memberId) as MemberRow | undefined;
    if (!member) return 'not_found';
    change();
    if ((q.admins.get(projectId) as number) === 0) throw new LastAdmin();
    return 'ok';
  });
  const runGuarded = (projectId: string, memberId: string, change: () => void) => {
    try {
      return guarded(projectId, memberId, change);
    } catch (error) {
      if (error instanceof LastAdmin) return 'last_admin' as const;
      throw error;
    }
  };

  return {
    async countMembers(projectId) {
      return q.count.get(projectId) as number;
    },
    async findMemberByEmail(email) {
      const row = q.byEmail.get(email) as MemberRow | undefined;
      return row ? toMember(row) : null;
    },
    async getMember(projectId, memberId) {
      const row = q.byId.get(projectId, memberId) as MemberRow | undefined;
      return row ? toMember(row) : null;
    },
    async listMembers(projectId) {
      return (q.list.all(projectId) as MemberRow[]).map(toMember);
    },
    async createFirstMember(member, setupTokenHash) {
      return createFirstMember(member, setupTokenHash);
    },
    async acceptInvite(inviteId, member) {
      try {
        return acceptInvite(inviteId, member);
      } catch (error) {
        if (error instanceof EmailTaken) return 'email_taken';
        throw error;
      }
    },
    async updateMember(projectId, memberId, patch) {
      try {
        const { changes } = q.update.run({
          projectId,
          id: memberId,
          name: patch.name ?? null,
          email: patch.email ?? null,
          timeZone: patch.timeZone ?? null,
          passwordHash: patch.passwordHash ?? null,
        });
        return changes ? 'ok' : 'not_found';
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async setRole(projectId, memberId, role) {
      return runGuarded(projectId, memberId, () => q.setRole.run(role, projectId, memberId));
    },
    async removeMember(projectId, memberId) {
      return runGuarded(projectId, memberId, () => q.remove.run(projectId, memberId));
    },

    async createSession(session) {
      q.insertSession.run(session);
    },
    async findSession(tokenHash) {
      const row = q.session.get(tokenHash) as SessionRow | undefined;
      return row ? toSession(row) : null;
    },
    async touchSession(tokenHash, at) {
      q.touch.run(at, tokenHash);
    },
    async deleteSession(tokenHash) {
      q.endSession.run(tokenHash);
    },
    async deleteMemberSessions(projectId, memberId, exceptTokenHash) {
      return q.endMemberSessions.run(projectId, memberId, exceptTokenHash ?? null).changes;
    },

    async createInvite(invite) {
      db.transaction(() => {
        q.dropInviteFor.run(invite.projectId, invite.email);
        q.insertInvite.run(invite);
      })();
    },
    async findInvite(tokenHash) {
      const row = q.invite.get(tokenHash) as InviteRow | undefined;
      return row ? toInvite(row) : null;
    },
    async listInvites(projectId, now) {
      return (q.invites.all(projectId, now) as InviteRow[]).map(toInvite);
    },
    async deleteInvite(projectId, inviteId) {
      return q.dropInvite.run(projectId, inviteId).changes > 0;
    },

    async setSetupToken(projectId, tokenHash, at) {
      q.setSetup.run(projectId, tokenHash, at);
    },
    async findSetupToken(tokenHash) {
      return (q.setupProject.get(tokenHash) as string | undefined) ?? null;
    },
    async setupPending() {
      return q.setupPending.get() === 1;
    },
  };
}

class EmailTaken extends Error {}
class LastAdmin extends Error {}
