import type { InviteRecord, MemberRecord, SessionRecord, TeamRole } from './team-store.js';

/** Team rows as both stores read them (snake_case columns), and their mapping to records. */
export interface MemberRow {
  id: string;
  project_id: string;
  email: string;
  name: string;
  role: TeamRole;
  time_zone: string;
  password_hash: string;
  created_at: number;
}
export interface SessionRow {
  token_hash: string;
  project_id: string;
  member_id: string;
  csrf_token: string;
  created_at: number;
  last_used_at: number;
}
export interface InviteRow {
  id: string;
  project_id: string;
  email: string;
  role: TeamRole;
  token_hash: string;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
}

export const toMember = (row: MemberRow): MemberRecord => ({
  id: row.id,
  projectId: row.project_id,
  email: row.email,
  name: row.name,
  role: row.role,
  timeZone: row.time_zone,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
});
export const toSession = (row: SessionRow): SessionRecord => ({
  tokenHash: row.token_hash,
  projectId: row.project_id,
  memberId: row.member_id,
  csrfToken: row.csrf_token,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});
export const toInvite = (row: InviteRow): InviteRecord => ({
  id: row.id,
  projectId: row.project_id,
  email: row.email,
  role: row.role,
  tokenHash: row.token_hash,
  invitedBy: row.invited_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});
