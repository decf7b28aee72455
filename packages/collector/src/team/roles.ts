import type { TeamRole } from '../store/team-store.js';

export const ROLES: readonly TeamRole[] = ['admin', 'manager', 'agent'];

/**
 * What a request asks to do, as far as roles care. `http/admin-access.ts` maps each admin route
 * to one of these.
 */
export type Action =
  /** Any GET: contacts, timelines, messages and results, settings (without secrets), the team. */
  | 'read'
  /** One's own account and sessions. */
  | 'self'
  | 'people.traits'
  /** Messages, suppressions, privacy requests and anything else not named below. */
  | 'content.write'
  | 'secrets.read'
  | 'settings.write'
  | 'keys.rotate'
  | 'team.manage';

/** The least role that may do each action. Agents read and edit traits; managers all but team, keys and settings. */
const LEAST_ROLE: Record<Action, TeamRole> = {
  read: 'agent',
  self: 'agent',
  'people.traits': 'agent',
  'content.write': 'manager',
  'secrets.read': 'admin',
  'settings.write': 'admin',
  'keys.rotate': 'admin',
  'team.manage': 'admin',
};

const RANK: Record<TeamRole, number> = { agent: 0, manager: 1, admin: 2 };

/**
 * May a member with `role` do `action`? Pure; the one table of permissions.
 *
 * @example
 * canDo('agent', 'people.traits'); // true
 * canDo('manager', 'team.manage'); // false
 */
export function canDo(role: TeamRole, action: Action): boolean {
  return RANK[role] >= RANK[LEAST_ROLE[action]];
}

/** The least role `action` needs, for the refusal's message. */
export function roleNeeded(action: Action): TeamRole {
  return LEAST_ROLE[action];
}

export const isRole = (value: unknown): value is TeamRole => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
