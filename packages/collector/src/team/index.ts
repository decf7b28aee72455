/**
 * The team: accounts, sessions, roles, invites, the setup token. Routes and the auth middleware
 * use only what is listed here.
 */
export { acceptBody, DEFAULT_TIME_ZONE, inviteBody, loginBody, meBody, roleBody, setupBody, toMember, validTimeZone } from './accounts.js';
export type { Member } from './accounts.js';
export { INVITE_TTL_MS, inviteLive, inviteUrl, setupUrl } from './invites.js';
export { createMembership } from './membership.js';
export type { InviteSummary, Membership } from './membership.js';
export { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from './passwords.js';
export { canDo, isRole, roleNeeded, ROLES } from './roles.js';
export type { Action } from './roles.js';
export { SESSION_COOKIE, SESSION_IDLE_MS, sessionState, TOUCH_EVERY_MS } from './sessions.js';
export { createSignIn, describeProject } from './sign-in.js';
export type { NewSession, SessionCaller, SessionView, SignIn } from './sign-in.js';
export { hashToken, newToken, sameSecret } from './tokens.js';
