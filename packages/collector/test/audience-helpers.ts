import type { TestCollector } from './harness.js';
import { mid } from './harness.js';

/** Admin JSON calls for the audience tests. */
export function adminJson(hark: TestCollector) {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await hark.admin(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    del: (path: string, body?: unknown) => call('DELETE', path, body),
  };
}

/** Identifies a user (with traits) at the clock's now; answers their person id. */
export async function identify(hark: TestCollector, userId: string, traits: Record<string, unknown> = {}): Promise<string> {
  const res = await hark.send('/v1/batch', {
    batch: [{ type: 'identify', messageId: mid('id'), userId, traits, timestamp: new Date(hark.clock.now()).toISOString() }],
  });
  const body = (await res.json()) as { results?: { personId?: string }[] };
  const personId = body.results?.[0]?.personId;
  if (personId) return personId;
  const lookup = await hark.admin(`/api/v1/people/lookup?userId=${encodeURIComponent(userId)}`);
  return ((await lookup.json()) as { id: string }).id;
}

/** Tracks `event` for a user `times` times at the clock's now. */
export async function track(hark: TestCollector, userId: string, event: string, times = 1, properties: Record<string, unknown> = {}): Promise<void> {
  const batch = Array.from({ length: times }, () => ({
    type: 'track',
    messageId: mid('t'),
    userId,
    event,
    properties,
    timestamp: new Date(hark.clock.now()).toISOString(),
  }));
  const res = await hark.send('/v1/batch', { batch });
  if (res.status !== 200) throw new Error(`track failed: ${res.status} ${await res.text()}`);
}
