import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE, SESSION_IDLE_MS } from '../team/index.js';
import { trustedHop } from './forwarded-hop.js';

/** https as the browser sees it: the URL's scheme, or the X-Forwarded-Proto our proxy wrote (forwarded-hop.ts). */
export function requestIsHttps(c: Context, trustProxy: boolean | number): boolean {
  if (trustedHop(c.req.header('x-forwarded-proto'), trustProxy) === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/ (the
 * console and the API share it), Secure on https. Lives as long as the idle expiry; the server
 * ends it sooner if unused.
 */
export function setSessionCookie(c: Context, token: string, trustProxy: boolean | number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: requestIsHttps(c, trustProxy),
    maxAge: Math.floor(SESSION_IDLE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context, trustProxy: boolean | number): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: requestIsHttps(c, trustProxy) });
}

export const sessionToken = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);
