import { normalizeEmail } from './email.js';

type ErasableType = 'anonymous' | 'user' | 'email';

/**
 * The form in which an erased identifier is recorded and looked up. Ingest stores ids as sent,
 * so `"ana "` and `"ana"` would be two people, and an exact comparison let `"ana "` re-create an
 * erased user (issue 9). An erasure is a promise about the person, not about one spelling: ids
 * are compared trimmed (as placeholder ids are judged, placeholder-ids.ts), emails trimmed and
 * lower-cased (as every email is, email.ts). Case is kept for ids: `Ana` and `ana` may well be two
 * users of the host's system.
 */
export function erasureKey(type: ErasableType, value: string): string {
  return type === 'email' ? normalizeEmail(value) : value.trim();
}
