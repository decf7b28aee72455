import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { Store } from '../store/store.js';
import type { InviteRecord, MemberRecord, TeamRole } from '../store/team-store.js';
import { toMember, type Member } from './accounts.js';
import { INVITE_TTL_MS, inviteUrl } from './invites.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { hashToken, newToken } from './tokens.js';

/** A pending invite as listed: its token was shown once, when it was made, and is not kept. */
export interface InviteSummary {
  id: string;
  email: string;
  role: TeamRole;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

const summary = (invite: InviteRecord): InviteSummary => ({
  id: invite.id,
  email: invite.email,
  role: invite.role,
  invitedBy: invite.invitedBy,
  createdAt: new Date(invite.createdAt).toISOString(),
  expiresAt: new Date(invite.expiresAt).toISOString(),
});

const notFound = () => new ApiError(404, 'not_found', 'No team member has this id.');
const lastAdmin = () => new ApiError(409, 'last_admin', 'This is the last admin; make someone else admin first.');

/** One's own account, the team's members and its invites. */
export function createMembership(deps: { store: Store; clock: Clock }) {
  const { clock } = deps;
  const team = deps.store.team;

  return {
    /**
     * Changes one's own account. Email and password need the current password; a new password
     * ends every other session of the member (a stolen one stops working).
     */
    async updateMe(
      member: MemberRecord,
      sessionTokenHash: string,
      patch: { name?: string | undefined; email?: string | undefined; timeZone?: string | undefined; currentPassword?: string | undefined; newPassword?: string | undefined },
    ): Promise<Member> {
      if (patch.currentPassword !== undefined && !(await verifyPassword(patch.currentPassword, member.passwordHash))) {
        throw new ApiError(400, 'invalid_fields', 'Your current password is not right.', { currentPassword: 'is not your current password' });
      }
      const changes = {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
        ...(patch.newPassword !== undefined ? { passwordHash: await hashPassword(patch.newPassword) } : {}),
      };
      const outcome = await team.updateMember(member.projectId, member.id, changes);
      if (outcome === 'email_taken') throw new ApiError(409, 'email_taken', 'This email already has an account.', { email: 'already has an account' });
      if (outcome === 'not_found') throw notFound();
      if (patch.newPassword !== undefined) await team.deleteMemberSessions(member.projectId, member.id, sessionTokenHash);
      return toMember((await team.getMember(member.projectId, member.id))!);
    },

    async listMembers(projectId: string): Promise<Member[]> {
      return (await team.listMembers(projectId)).map(toMember);
    },

    async setRole(projectId: string, memberId: string, role: TeamRole): Promise<Member> {
      const outcome = await team.setRole(projectId, memberId, role);
      if (outcome === 'not_found') throw notFound();
      if (outcome === 'last_admin') throw lastAdmin();
      return toMember((await team.getMember(projectId, memberId))!);
    },

    async removeMember(projectId: string, memberId: string): Promise<void> {
      const outcome = await team.removeMember(projectId, memberId);
      if (outcome === 'not_found') throw notFound();
      if (outcome === 'last_admin') throw lastAdmin();
    },

    async listInvites(projectId: string): Promise<InviteSummary[]> {
      return (await team.listInvites(projectId, clock.now())).map(summary);
    },

    /** A week-long invite; its token is answered once and kept only as a hash. */
    async invite(projectId: string, input: { email: string; role: TeamRole }, invitedBy: string | null, origin: string) {
      if (await team.findMemberByEmail(input.email)) {
        throw new ApiError(409, 'already_member', `${input.email} already has an account.`, { email: 'already has an account' });
      }
      const token = newToken();
      const now = clock.now();
      const record: InviteRecord = { id: randomUUID(), projectId, email: input.email, role: input.role, tokenHash: hashToken(token), invitedBy, createdAt: now, expiresAt: now + INVITE_TTL_MS };
      await team.createInvite(record);
      return { id: record.id, email: record.email, role: record.role, token, inviteUrl: inviteUrl(origin, token), expiresAt: new Date(record.expiresAt).toISOString() };
    },

    async revokeInvite(projectId: string, inviteId: string): Promise<void> {
      if (!(await team.deleteInvite(projectId, inviteId))) throw new ApiError(404, 'not_found', 'No pending invite has this id.');
    },
  };
}

export type Membership = ReturnType<typeof createMembership>;
