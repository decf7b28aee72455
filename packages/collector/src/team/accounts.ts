import { z } from 'zod';
import { normalizeEmail, validEmail } from '../identity/email.js';
import type { MemberRecord } from '../store/team-store.js';
import { MAX_PASSWORD_LENGTH, passwordProblem } from './passwords.js';
import { ROLES } from './roles.js';

/** A member as the admin API shows them: never the password hash. Times ISO. */
export interface Member {
  id: string;
  email: string;
  name: string;
  role: MemberRecord['role'];
  timeZone: string;
  createdAt: string;
}

export const toMember = (record: MemberRecord): Member => ({
  id: record.id,
  email: record.email,
  name: record.name,
  role: record.role,
  timeZone: record.timeZone,
  createdAt: new Date(record.createdAt).toISOString(),
});

/** A zone `Intl` knows (Europe/Paris, UTC); times in the console are shown in it. */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

const email = z
  .string()
  .max(320)
  .transform(normalizeEmail)
  .refine((value) => validEmail(value) !== null, 'must be an email address');
const name = z.string().trim().min(1).max(120);
const newPassword = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const timeZone = z.string().refine(validTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC');
/** A password given to prove who one is: not held to today's rule, only capped. */
const givenPassword = z.string().min(1).max(MAX_PASSWORD_LENGTH);

export const setupBody = z.strictObject({ token: z.string().min(1).max(200), email, name, password: newPassword, timeZone: timeZone.optional() });
export const loginBody = z.strictObject({ email: z.string().max(320).transform(normalizeEmail), password: z.string().max(MAX_PASSWORD_LENGTH) });
export const acceptBody = z.strictObject({ name, password: newPassword, timeZone: timeZone.optional() });
export const inviteBody = z.strictObject({ email, role: z.enum(ROLES as [string, ...string[]]) });
export const roleBody = z.strictObject({ role: z.enum(ROLES as [string, ...string[]]) });
export const meBody = z
  .strictObject({
    name: name.optional(),
    email: email.optional(),
    timeZone: timeZone.optional(),
    currentPassword: givenPassword.optional(),
    newPassword: newPassword.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.email !== undefined || body.newPassword !== undefined) && body.currentPassword === undefined) {
      ctx.addIssue({ code: 'custom', path: ['currentPassword'], message: 'is required to change your email or password' });
    }
  });

/** The zone a new member starts with when they give none. */
export const DEFAULT_TIME_ZONE = 'UTC';
