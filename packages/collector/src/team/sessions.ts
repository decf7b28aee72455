import type { SessionRecord } from '../store/team-store.js';

/** A session unused this long ends; using it moves the deadline. */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
/** Last use is written at most this often, so reading a page of the console costs no write per request. */
export const TOUCH_EVERY_MS = 60 * 1000;

export const SESSION_COOKIE = 'hark_session';

/** What to do with a session found by its token at `now`. Pure. */
export function sessionState(session: SessionRecord, now: number): 'expired' | 'touch' | 'live' {
  if (now - session.lastUsedAt >= SESSION_IDLE_MS) return 'expired';
  return now - session.lastUsedAt >= TOUCH_EVERY_MS ? 'touch' : 'live';
}
