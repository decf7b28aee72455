import type pg from 'pg';
import { toInvite, toMember, toSession, type InviteRow, type MemberRow, type SessionRow } from '../team-rows.js';
import type { InviteRecord, MemberRecord, SessionRecord, TeamRole, TeamStore } from '../team-store.js';
import { changes, inTransaction, isUniqueViolation, one, query, rows, type Queryable } from './postgres-sql.js';

const MEMBER = 'id, project_id, email, name, role, time_zone, password_hash, created_at';

/**
 * Team members, sessions, invites and setup tokens for the PostgreSQL store (as sqlite-team.ts).
 * A rule that reads then writes (first member only, one admin left) locks the project's row
 * first: SQLite's single writer made those steps atomic, several collectors do not.
 */
export function createPostgresTeam(pool: pg.Pool): TeamStore {
  const lockProject = (client: Queryable, projectId: string) => query(client, 'SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
  const count = async (db: Queryable, projectId: string, adminsOnly = false): Promise<number> =>
    (await one<{ n: number }>(db, `SELECT count(*) AS n FROM team_members WHERE project_id = $1${adminsOnly ? " AND role = 'admin'" : ''}`, [projectId]))!.n;
  const insertMember = (db: Queryable, member: MemberRecord) =>
    query(db, `INSERT INTO team_members (${MEMBER}) VALUES (@id, @projectId, @email, @name, @role, @timeZone, @passwordHash, @createdAt)`, { ...member });

  /** A change that would leave the project without an admin is rolled back. */
  const guarded = async (projectId: string, memberId: string, change: (client: pg.PoolClient) => Promise<unknown>): Promise<'ok' | 'not_found' | 'last_admin'> => {
    try {
      return await inTransaction(pool, async (client) => {
        await lockProject(client, projectId);
        if (!(await one(client, 'SELECT 1 AS found FROM team_members WHERE project_id = $1 AND id = $2', [projectId, memberId]))) return 'not_found' as const;
        await change(client);
        if ((await count(client, projectId, true)) === 0) throw new LastAdmin();
        return 'ok' as const;
      });
    } catch (error) {
      if (error instanceof LastAdmin) return 'last_admin';
      throw error;
    }
  };

  return {
    async countMembers(projectId) {
      return count(pool, projectId);
    },
    async findMemberByEmail(email) {
      const row = await one<MemberRow>(pool, `SELECT ${MEMBER} FROM team_members WHERE email = $1`, [email]);
      return row ? toMember(row) : null;
    },
    async getMember(projectId, memberId) {
      const row = await one<MemberRow>(pool, `SELECT ${MEMBER} FROM team_members WHERE project_id = $1 AND id = $2`, [projectId, memberId]);
      return row ? toMember(row) : null;
    },
    async listMembers(projectId) {
      return (await rows<MemberRow>(pool, `SELECT ${MEMBER} FROM team_members WHERE project_id = $1 ORDER BY created_at, id`, [projectId])).map(toMember);
    },
    async createFirstMember(member, tokenHash) {
      try {
        return await inTransaction(pool, async (client) => {
          await lockProject(client, member.projectId);
          if (tokenHash !== null) {
            const setup = await one<{ project_id: string }>(client, 'SELECT project_id FROM team_setup_tokens WHERE token_hash = $1', [tokenHash]);
            if (setup?.project_id !== member.projectId) return 'invalid_token' as const;
          }
          if ((await count(client, member.projectId)) > 0) return 'not_first' as const;
          await insertMember(client, member);
          await query(client, 'DELETE FROM team_setup_tokens WHERE project_id = $1', [member.projectId]);
          return 'ok' as const;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async acceptInvite(inviteId, member) {
      try {
        return await inTransaction(pool, async (client) => {
          // The DELETE locks the invite's row: a second acceptance waits, then deletes nothing.
          if ((await changes(client, 'DELETE FROM team_invites WHERE id = $1', [inviteId])) === 0) return 'gone' as const;
          // A taken email throws and rolls the invite back with it, leaving it for another try.
          await insertMember(client, member);
          return 'ok' as const;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async updateMember(projectId, memberId, patch) {
      try {
        const changed = await changes(pool, `UPDATE team_members SET name = coalesce(@name::text, name), email = coalesce(@email::text, email),
          time_zone = coalesce(@timeZone::text, time_zone), password_hash = coalesce(@passwordHash::text, password_hash)
          WHERE project_id = @projectId AND id = @id`, {
          projectId,
          id: memberId,
          name: patch.name ?? null,
          email: patch.email ?? null,
          timeZone: patch.timeZone ?? null,
          passwordHash: patch.passwordHash ?? null,
        });
        return changed ? 'ok' : 'not_found';
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async setRole(projectId, memberId, role) {
      return guarded(projectId, memberId, (client) => query(client, 'UPDATE team_members SET role = $1 WHERE project_id = $2 AND id = $3', [role, projectId, memberId]));
    },
    async removeMember(projectId, memberId) {
      return guarded(projectId, memberId, (client) => query(client, 'DELETE FROM team_members WHERE project_id = $1 AND id = $2', [projectId, memberId]));
    },

    async createSession(session) {
      await query(pool, `INSERT INTO team_sessions (token_hash, project_id, member_id, csrf_token, created_at, last_used_at)
        VALUES (@tokenHash, @projectId, @memberId, @csrfToken, @createdAt, @lastUsedAt)`, { ...session });
    },
    async findSession(tokenHash) {
      const row = await one<SessionRow>(pool, 'SELECT token_hash, project_id, member_id, csrf_token, created_at, last_used_at FROM team_sessions WHERE token_hash = $1', [tokenHash]);
      return row ? toSession(row) : null;
    },
    async touchSession(tokenHash, at) {
      await query(pool, 'UPDATE team_sessions SET last_used_at = $1 WHERE token_hash = $2', [at, tokenHash]);
    },
    async deleteSession(tokenHash) {
      await query(pool, 'DELETE FROM team_sessions WHERE token_hash = $1', [tokenHash]);
    },
    async deleteMemberSessions(projectId, memberId, exceptTokenHash) {
      return changes(pool, 'DELETE FROM team_sessions WHERE project_id = $1 AND member_id = $2 AND token_hash IS DISTINCT FROM $3', [projectId, memberId, exceptTokenHash ?? null]);
    },

    async createInvite(invite) {
      await inTransaction(pool, async (client) => {
        await query(client, 'DELETE FROM team_invites WHERE project_id = $1 AND email = $2', [invite.projectId, invite.email]);
        await query(client, `INSERT INTO team_invites (id, project_id, email, role, token_hash, invited_by, created_at, expires_at)
          VALUES (@id, @projectId, @email, @role, @tokenHash, @invitedBy, @createdAt, @expiresAt)`, { ...invite });
      });
    },
    async findInvite(tokenHash) {
      const row = await one<InviteRow>(pool, 'SELECT * FROM team_invites WHERE token_hash = $1', [tokenHash]);
      return row ? toInvite(row) : null;
    },
    async listInvites(projectId, now) {
      return (await rows<InviteRow>(pool, 'SELECT * FROM team_invites WHERE project_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id', [projectId, now])).map(toInvite);
    },
    async deleteInvite(projectId, inviteId) {
      return (await changes(pool, 'DELETE FROM team_invites WHERE project_id = $1 AND id = $2', [projectId, inviteId])) > 0;
    },

    async setSetupToken(projectId, tokenHash, at) {
      await query(pool, `INSERT INTO team_setup_tokens (project_id, token_hash, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (project_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`, [projectId, tokenHash, at]);
    },
    async findSetupToken(tokenHash) {
      return (await one<{ project_id: string }>(pool, 'SELECT project_id FROM team_setup_tokens WHERE token_hash = $1', [tokenHash]))?.project_id ?? null;
    },
    async setupPending() {
      const row = await one<{ pending: boolean }>(pool, `SELECT EXISTS (SELECT 1 FROM team_setup_tokens t
        WHERE NOT EXISTS (SELECT 1 FROM team_members m WHERE m.project_id = t.project_id)) AS pending`);
      return row!.pending;
    },
  };
}

class LastAdmin extends Error {}
