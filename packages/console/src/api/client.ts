import type { ApiErrorBody } from '@hark/protocol';

/**
 * An admin API refusal as the console shows it: the collector's `{ error: { code, message,
 * fields } }` (docs/API.md), with the status. `fields` keys are dotted paths such as
 * `content.title`; forms show each beside the field it names.
 */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  /** A write: POST, PATCH or DELETE, with the session's CSRF token. A FormData body is sent as multipart. */
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** The CSRF token of the session in use (from POST/GET /session); writes carry it. */
  setCsrfToken(token: string | null): void;
  /** Called with the number of calls under way each time it changes (for the progress bar). */
  onBusy(listener: (pending: number) => void): void;
  /** Called when a call answers 401: the session ended (expired, or logged out elsewhere). */
  onUnauthorized(listener: () => void): void;
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  /** Where the admin API lives; the console is served by the same collector, so by default `/api/v1`. */
  base?: string;
}

/** `path?key=value…`, leaving out what is empty. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The console's only way to the collector: the documented admin API, with the session cookie
 * (`credentials: 'same-origin'`, never another origin) and the `X-CSRF-Token` header on writes.
 */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const base = options.base ?? '/api/v1';
  let csrfToken: string | null = null;
  let pending = 0;
  const busyListeners: ((pending: number) => void)[] = [];
  const unauthorizedListeners: (() => void)[] = [];
  const busy = (delta: number) => {
    pending += delta;
    for (const listener of busyListeners) listener(pending);
  };

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    // A FormData body (a CSV upload) goes as multipart, its boundary set by the browser.
    const multipart = typeof FormData !== 'undefined' && body instanceof FormData;
    if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
    busy(1);
    let response: Response;
    try {
      response = await doFetch(base + path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: multipart ? (body as FormData) : JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiRefusal(0, 'network', 'The collector did not answer. Check that it is running, then try again.');
    } finally {
      busy(-1);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as ApiErrorBody | undefined)?.error;
      if (response.status === 401) for (const listener of unauthorizedListeners) listener();
      throw new ApiRefusal(
        response.status,
        error?.code ?? 'http_' + response.status,
        error?.message ?? `The collector answered ${response.status}.`,
        error?.fields ?? {},
      );
    }
    return parsed as T;
  };

  return {
    get: (path, query) => call('GET', withQuery(path, query)),
    send: (method, path, body) => call(method, path, body),
    setCsrfToken(token) {
      csrfToken = token;
    },
    onBusy(listener) {
      busyListeners.push(listener);
    },
    onUnauthorized(listener) {
      unauthorizedListeners.push(listener);
    },
  };
}
