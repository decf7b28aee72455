import { describe, expect, it, vi } from 'vitest';
import { ApiRefusal, createApiClient, withQuery } from '../src/api/client.js';

/** A fetch that records each call and answers with `status` and `body`. */
function fakeFetch(status: number, body?: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

describe('the admin API client', () => {
  it('reads with the session cookie of this origin and no CSRF header', async () => {
    const { fetch, calls } = fakeFetch(200, { items: [], nextCursor: null });
    const api = createApiClient({ fetch });
    api.setCsrfToken('tok');
    expect(await api.get('/people', { q: 'ana', kind: '', cursor: null, limit: 25 })).toEqual({ items: [], nextCursor: null });
    expect(calls[0]!.url).toBe('/api/v1/people?q=ana&limit=25');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect(calls[0]!.init.method).toBe('GET');
    expect((calls[0]!.init.headers as Record<string, string>)['x-csrf-token']).toBeUndefined();
  });

  it('sends every write with the CSRF token of the session and a JSON body', async () => {
    const { fetch, calls } = fakeFetch(200, { id: 'm1' });
    const api = createApiClient({ fetch });
    api.setCsrfToken('csrf-123');
    await api.send('PATCH', '/messages/m1', { status: 'live' });
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(calls[0]!.init.method).toBe('PATCH');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect(headers['x-csrf-token']).toBe('csrf-123');
    expect(headers['content-type']).toBe('application/json');
    expect(calls[0]!.init.body).toBe('{"status":"live"}');
  });

  it('answers undefined for a 204', async () => {
    const { fetch } = fakeFetch(204);
    expect(await createApiClient({ fetch }).send('DELETE', '/session')).toBeUndefined();
  });

  it('turns a 400 invalid_fields into a refusal carrying each field error by path', async () => {
    const { fetch } = fakeFetch(400, { error: { code: 'invalid_fields', message: 'The message has 1 problem; see fields.', fields: { 'content.title': 'must not be empty' } } });
    const error = await createApiClient({ fetch })
      .send('POST', '/messages', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRefusal);
    expect(error).toMatchObject({ status: 400, code: 'invalid_fields', message: 'The message has 1 problem; see fields.', fields: { 'content.title': 'must not be empty' } });
  });

  it('tells its listeners when a call answers 401, so the console shows the login form', async () => {
    const { fetch } = fakeFetch(401, { error: { code: 'unauthorized', message: 'Log in first.' } });
    const api = createApiClient({ fetch });
    const ended = vi.fn();
    api.onUnauthorized(ended);
    await expect(api.get('/session')).rejects.toMatchObject({ status: 401, message: 'Log in first.' });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('says the collector did not answer when fetch fails, and a non-JSON error still has a message', async () => {
    const down = createApiClient({ fetch: (async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch });
    await expect(down.get('/people')).rejects.toMatchObject({ status: 0, code: 'network' });
    const html = createApiClient({ fetch: (async () => new Response('<h1>Bad gateway</h1>', { status: 502 })) as unknown as typeof fetch });
    await expect(html.get('/people')).rejects.toMatchObject({ status: 502, message: 'The collector answered 502.' });
  });

  it('counts the calls under way for the progress bar', async () => {
    let answer!: (response: Response) => void;
    const api = createApiClient({ fetch: (() => new Promise<Response>((resolve) => (answer = resolve))) as unknown as typeof fetch });
    const seen: number[] = [];
    api.onBusy((pending) => seen.push(pending));
    const call = api.get('/people');
    expect(seen).toEqual([1]);
    answer(new Response('{}', { status: 200 }));
    await call;
    expect(seen).toEqual([1, 0]);
  });

  it('leaves empty query values out', () => {
    expect(withQuery('/people', { q: '', kind: undefined, cursor: null })).toBe('/people');
    expect(withQuery('/people', { q: 'a b&c' })).toBe('/people?q=a+b%26c');
  });
});
