import type { InviteRecord } from '../store/team-store.js';

/** An invite can be accepted for a week. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export const inviteLive = (invite: InviteRecord, now: number): boolean => now < invite.expiresAt;

/** Where the invited person opens the console to accept. */
export const inviteUrl = (origin: string, token: string): string => `${origin}/console/invite?token=${encodeURIComponent(token)}`;

/** Printed by `npm start` while no member exists. */
export const setupUrl = (origin: string, token: string): string => `${origin}/console/setup?token=${encodeURIComponent(token)}`;
