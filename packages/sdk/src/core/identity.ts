import Cookies from 'js-cookie';
import { drop, read, write } from './storage.js';
import type { HarkOptions } from './types.js';
import { uuid } from './uuid.js';

export const ANONYMOUS_ID_KEY = 'hark_aid';
export const USER_ID_KEY = 'hark_uid';

/**
 * The visitor's anonymous id, created on first use. It lives in a first-party cookie, so
 * subdomains can share it, mirrored in localStorage, which restores a cleared cookie (and falls
 * back to memory when blocked too). The cookie wins when they disagree: another tab or subdomain
 * may have set it.
 */
export const anonymousId = (options: HarkOptions): string => {
  const stored = read(ANONYMOUS_ID_KEY);
  let id = stored || uuid();
  // document.cookie throws in sandboxed frames; the id then lives in storage alone.
  try {
    const inCookie = Cookies.get(ANONYMOUS_ID_KEY);
    id = inCookie || id;
    if (id != inCookie) {
      Cookies.set(ANONYMOUS_ID_KEY, id, {
        expires: 365,
        sameSite: 'Lax',
        secure: location.protocol == 'https:',
        domain: options.cookieDomain,
      });
    }
  } catch {}
  if (id != stored) write(ANONYMOUS_ID_KEY, id);
  return id;
};

export const userId = (): string | undefined => read(USER_ID_KEY) || undefined;

export const setUserId = (userId: string): void => write(USER_ID_KEY, userId);

/** Forget both ids; the next event starts a new anonymous id. */
export const forgetIds = (options: HarkOptions): void => {
  drop(ANONYMOUS_ID_KEY);
  drop(USER_ID_KEY);
  try {
    Cookies.remove(ANONYMOUS_ID_KEY, { domain: options.cookieDomain });
  } catch {}
};
