const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

/** Emails are compared trimmed and lower-cased everywhere (identities, suppressions, lookups). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The normalised email when `value` looks like one, else null. */
export function validEmail(value: unknown): string | null {
  return typeof value === 'string' && EMAIL.test(value.trim()) ? normalizeEmail(value) : null;
}
