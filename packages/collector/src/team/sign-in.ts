import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { validEmail } from '../identity/email.js';
import type { Store } from '../store/store.js';
import type { MemberRecord, SessionRecord, TeamRole } from '../store/team-store.js';
import type { Project } from '../store/types.js';
import { DEFAULT_TIME_ZONE, toMember, type Member } from './accounts.js';
import { inviteLive } from './invites.js';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from './passwords.js';
import { sessionState } from './sessions.js';
import { hashToken, newToken } from './tokens.js';

/** What a logged-in console knows about itself: `GET /api/v1/session`. */
export interface SessionView {
  member: Member;
  project: { id: string; name: string; writeKey: string };
  csrfToken: string;
}

/** A new session: the cookie's token (given once, never stored) and what to answer. */
export interface NewSession {
  token: string;
  view: SessionView;
}

/** Who a valid session cookie belongs to. */
export interface SessionCaller {
  member: MemberRecord;
  project: Project;
  session: SessionRecord;
}

export const describeProject = (project: Project): SessionView['project'] => ({ id: project.id, name: project.name, writeKey: project.writeKey });

const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'The email or password is not right.');

/**
 * Becoming a member and proving it: first-admin setup, login, accepting an invite, and turning a
 * session cookie back into a member. Everything here that checks a password spends the same
 * scrypt work whether or not the account exists.
 */
export function createSignIn(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  const team = store.team;

  const project = async (projectId: string): Promise<Project> => {
    const found = await store.findProjectById(projectId);
    if (!found) throw new ApiError(404, 'not_found', 'This project no longer exists.');
    return found;
  };

  const record = async (input: { projectId: string; email: string; name: string; role: TeamRole; password: string; timeZone?: string | undefined }): Promise<MemberRecord> => ({
    id: randomUUID(),
    projectId: input.projectId,
    email: input.email,
    name: input.name,
    role: input.role,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    passwordHash: await hashPassword(input.password),
    createdAt: clock.now(),
  });

  async function startSession(member: MemberRecord): Promise<NewSession> {
    const token = newToken();
    const now = clock.now();
    const session: SessionRecord = { tokenHash: hashToken(token), projectId: member.projectId, memberId: member.id, csrfToken: newToken(), createdAt: now, lastUsedAt: now };
    await team.createSession(session);
    return { token, view: { member: toMember(member), project: describeProject(await project(member.projectId)), csrfToken: session.csrfToken } };
  }

  return {
    startSession,

    /** True while a project waits for its first member with a setup token. */
    async setupNeeded(): Promise<boolean> {
      return team.setupPending();
    },

    /** A fresh one-time setup token for `npm start` to print, or null once the project has a member. */
    async prepareSetup(projectId: string): Promise<string | null> {
      if ((await team.countMembers(projectId)) > 0) return null;
      const token = newToken();
      await team.setSetupToken(projectId, hashToken(token), clock.now());
      return token;
    },

    async setup(input: { token: string; email: string; name: string; password: string; timeZone?: string | undefined }): Promise<NewSession> {
      const tokenHash = hashToken(input.token);
      const projectId = await team.findSetupToken(tokenHash);
      if (!projectId) {
        if (!(await team.setupPending())) throw new ApiError(403, 'setup_done', 'This collector already has a team; log in instead.');
        throw new ApiError(403, 'invalid_setup_token', 'This setup link is not valid; use the one `npm start` printed last.');
      }
      const member = await record({ ...input, projectId, role: 'admin' });
      const outcome = await team.createFirstMember(member, tokenHash);
      if (outcome === 'not_first') throw new ApiError(403, 'setup_done', 'This collector already has a team; log in instead.');
      if (outcome === 'invalid_token') throw new ApiError(403, 'invalid_setup_token', 'This setup link is not valid; use the one `npm start` printed last.');
      if (outcome === 'email_taken') throw new ApiError(409, 'email_taken', 'This email already has an account.', { email: 'already has an account' });
      return startSession(member);
    },

    /**
     * The first admin from HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD, at start. Does nothing once
     * the project has a member (the password is never reset from the environment).
     */
    async ensureAdmin(projectId: string, input: { email: string; password: string; name?: string }): Promise<{ created: boolean }> {
      if ((await team.countMembers(projectId)) > 0) return { created: false };
      const email = validEmail(input.email);
      if (!email) throw new Error('HARK_ADMIN_EMAIL must be an email address.');
      const problem = passwordProblem(input.password);
      if (problem) throw new Error(`HARK_ADMIN_PASSWORD ${problem}.`);
      const outcome = await team.createFirstMember(await record({ projectId, email, name: input.name ?? email.split('@')[0]!, role: 'admin', password: input.password }), null);
      if (outcome === 'email_taken') throw new Error(`HARK_ADMIN_EMAIL ${email} already has an account in another project.`);
      return { created: outcome === 'ok' };
    },

    /** The same answer, after the same work, for an unknown email and a wrong password. */
    async login(input: { email: string; password: string }): Promise<NewSession> {
      const member = await team.findMemberByEmail(input.email);
      const ok = member ? await verifyPassword(input.password, member.passwordHash) : await verifyNothing(input.password);
      if (!member || !ok) throw invalidCredentials();
      return startSession(member);
    },

    async describeInvite(token: string): Promise<{ email: string; role: TeamRole; projectName: string }> {
      const invite = await team.findInvite(hashToken(token));
      if (!invite || !inviteLive(invite, clock.now())) throw new ApiError(404, 'not_found', 'This invite is not valid any more; ask for a new one.');
      return { email: invite.email, role: invite.role, projectName: (await project(invite.projectId)).name };
    },

    async acceptInvite(token: string, input: { name: string; password: string; timeZone?: string | undefined }): Promise<NewSession> {
      const invite = await team.findInvite(hashToken(token));
      if (!invite || !inviteLive(invite, clock.now())) throw new ApiError(404, 'not_found', 'This invite is not valid any more; ask for a new one.');
      const member = await record({ ...input, projectId: invite.projectId, email: invite.email, role: invite.role });
      const outcome = await team.acceptInvite(invite.id, member);
      if (outcome === 'gone') throw new ApiError(404, 'not_found', 'This invite is not valid any more; ask for a new one.');
      if (outcome === 'email_taken') throw new ApiError(409, 'email_taken', `${invite.email} already has an account; log in with it.`);
      return startSession(member);
    },

    /** The member behind a session cookie, or null (unknown, expired, or the member was removed). */
    async authenticate(token: string): Promise<SessionCaller | null> {
      const tokenHash = hashToken(token);
      const session = await team.findSession(tokenHash);
      if (!session) return null;
      const now = clock.now();
      const state = sessionState(session, now);
      if (state === 'expired') {
        await team.deleteSession(tokenHash);
        return null;
      }
      const member = await team.getMember(session.projectId, session.memberId);
      const found = member && (await store.findProjectById(session.projectId));
      if (!member || !found) return null;
      if (state === 'touch') await team.touchSession(tokenHash, now);
      return { member, project: found, session };
    },

    async logout(session: SessionRecord): Promise<void> {
      await team.deleteSession(session.tokenHash);
    },

    async logoutEverywhere(session: SessionRecord): Promise<{ ended: number }> {
      return { ended: await team.deleteMemberSessions(session.projectId, session.memberId) };
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
