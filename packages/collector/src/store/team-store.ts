/** A team member's role; what each may do is `team/roles.ts`. */
export type TeamRole = 'admin' | 'manager' | 'agent';

/** A team member as stored, with the password hash (never sent to anyone). Times are epoch ms. */
export interface MemberRecord {
  id: string;
  projectId: string;
  /** Lower-cased; unique on this collector. */
  email: string;
  name: string;
  role: TeamRole;
  /** An IANA zone such as Europe/Paris. */
  timeZone: string;
  passwordHash: string;
  createdAt: number;
}

/** A login. Only the SHA-256 of the cookie's token is kept, so the table alone logs no one in. */
export interface SessionRecord {
  tokenHash: string;
  projectId: string;
  memberId: string;
  csrfToken: string;
  createdAt: number;
  lastUsedAt: number;
}

export interface InviteRecord {
  id: string;
  projectId: string;
  email: string;
  role: TeamRole;
  tokenHash: string;
  /** The member who sent it; null when sent with the secret key. */
  invitedBy: string | null;
  createdAt: number;
  expiresAt: number;
}

export type MemberWrite = 'ok' | 'email_taken' | 'not_found';
/** The last admin can neither be demoted nor removed: someone must be able to manage the team. */
export type AdminGuardedWrite = 'ok' | 'not_found' | 'last_admin';

/**
 * Team accounts, sessions, invites and the setup token. Each write that a rule depends on
 * (only the first member via setup, an invite used once, always one admin left) is one atomic
 * step here, so two requests at once cannot both pass the check.
 */
export interface TeamStore {
  countMembers(projectId: string): Promise<number>;
  /** Across the collector: an email has one account. */
  findMemberByEmail(email: string): Promise<MemberRecord | null>;
  getMember(projectId: string, memberId: string): Promise<MemberRecord | null>;
  listMembers(projectId: string): Promise<MemberRecord[]>;
  /**
   * Creates the project's first member, only while it has none. With a setup token hash, only
   * if that token is the project's pending one, which it uses up.
   */
  createFirstMember(member: MemberRecord, setupTokenHash: string | null): Promise<'ok' | 'not_first' | 'invalid_token' | 'email_taken'>;
  /** Creates the member and deletes the invite in one step; `gone` when the invite no longer exists. */
  acceptInvite(inviteId: string, member: MemberRecord): Promise<'ok' | 'gone' | 'email_taken'>;
  updateMember(projectId: string, memberId: string, patch: Partial<Pick<MemberRecord, 'name' | 'email' | 'timeZone' | 'passwordHash'>>): Promise<MemberWrite>;
  setRole(projectId: string, memberId: string, role: TeamRole): Promise<AdminGuardedWrite>;
  /** Also ends the member's sessions. */
  removeMember(projectId: string, memberId: string): Promise<AdminGuardedWrite>;

  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, at: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of the member, except the one named (a password change keeps its own). */
  deleteMemberSessions(projectId: string, memberId: string, exceptTokenHash?: string): Promise<number>;

  /** Replaces a pending invite for the same email in the project. */
  createInvite(invite: InviteRecord): Promise<void>;
  findInvite(tokenHash: string): Promise<InviteRecord | null>;
  /** Those not expired at `now`, newest first. */
  listInvites(projectId: string, now: number): Promise<InviteRecord[]>;
  deleteInvite(projectId: string, inviteId: string): Promise<boolean>;

  /** Replaces the project's pending setup token. */
  setSetupToken(projectId: string, tokenHash: string, at: number): Promise<void>;
  /** The project waiting for its first member with this token, if any. */
  findSetupToken(tokenHash: string): Promise<string | null>;
  /** True while some project holds a setup token and has no member yet. */
  setupPending(): Promise<boolean>;
}
