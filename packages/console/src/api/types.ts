/**
 * The admin API's answers the console reads that are not wire types of @hark/protocol: the
 * shapes docs/API.md and the team contract (sessions, members, invites) describe. Kept here,
 * not imported from the collector, so the console depends on the documented API only.
 */

export type Role = 'admin' | 'manager' | 'agent';
export const ROLES: readonly Role[] = ['admin', 'manager', 'agent'];

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  timeZone: string;
  createdAt: string;
}

/** The project as a session sees it: never the secret key. */
export interface SessionProject {
  id: string;
  name: string;
  writeKey: string;
}

export interface Session {
  member: Member;
  project: SessionProject;
  csrfToken: string;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  token?: string;
  inviteUrl?: string;
  createdAt?: string;
}

export interface InviteInfo {
  email: string;
  role: Role;
  projectName: string;
}

export type PersonKind = 'visitor' | 'lead' | 'user';
export const PERSON_KINDS: readonly PersonKind[] = ['visitor', 'lead', 'user'];

export interface PersonSummary {
  id: string;
  kind: PersonKind;
  userId: string | null;
  email: string | null;
  name: string | null;
  traits: Record<string, unknown>;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface CompanySummary {
  id: string;
  name: string | null;
  traits: Record<string, unknown>;
}

export interface PersonDetail extends PersonSummary {
  identities: { type: string; value: string; createdAt: string }[];
  companies: CompanySummary[];
  counts: { events: number; pageViews: number; tracks: number; identifies: number };
  mergedFrom: string[];
}

export interface CompanyDetail extends CompanySummary {
  createdAt: string;
  updatedAt: string;
  people: PersonSummary[];
}

export interface ActivityItem {
  messageId: string;
  type: string;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  timestamp: string;
  receivedAt: string;
  page: { url: string | null; path: string | null; title: string | null; referrer: string | null };
  device: { browser: string | null; os: string | null; deviceType?: string | null };
  /** web, email, message, automation or webhook (docs/API.md). */
  channel: string;
  /** The chain this event is part of (null when none). */
  parentId: string | null;
  rootId: string | null;
}

export interface ProjectSettings {
  id: string;
  name: string;
  writeKey: string;
  identityVerification: 'off' | 'verify' | 'enforce';
  verificationSecret: string;
  allowedOrigins: string[];
}

export interface RotatedKeys extends ProjectSettings {
  secretKey?: string;
  rotated: 'write' | 'secret' | 'verification';
  previousKeyValidUntil: string;
}
