import type { BatchResponse } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelOf } from '../src/chain/channel.js';
import { settleChain } from '../src/chain/chain-root.js';
import { signChainToken } from '../src/chain/chain-token.js';
import { normalizeEvent } from '../src/ingest/normalize-event.js';
import { startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const at = () => new Date(hark.clock.now()).toISOString();
const track = (messageId: string, event: string, hark_: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
  type: 'track', messageId, anonymousId: 'anon-1', event, timestamp: at(), ...(hark_ ? { context: { hark: hark_ } } : {}), ...extra,
});
async function send(...batch: unknown[]): Promise<BatchResponse> {
  const res = await hark.send('/v1/batch', { batch });
  expect(res.status).toBe(200);
  return (await res.json()) as BatchResponse;
}
async function activity(): Promise<Map<string, { parentId: string | null; rootId: string | null }>> {
  const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=anon-1')).json();
  const page = await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=100`)).json();
  return new Map((page.items as { messageId: string; parentId: string | null; rootId: string | null }[]).map((item) => [item.messageId, { parentId: item.parentId, rootId: item.rootId }]));
}

describe('the chain of events at ingest', () => {
  it('stores parentId and inherits the root through three levels, within a batch and across batches', async () => {
    expect((await send(track('sent', 'Email Sent', null), track('opened', 'Email Opened', { parentId: 'sent' }))).accepted).toBe(2);
    hark.clock.advance(1000);
    expect((await send(track('clicked', 'Email Clicked', { parentId: 'opened' }))).accepted).toBe(1);
    hark.clock.advance(1000);
    expect((await send(track('signup', 'Signed Up', { parentId: 'clicked' }), track('plain', 'Plain', null))).accepted).toBe(2);
    const items = await activity();
    expect(items.get('sent')).toEqual({ parentId: null, rootId: null });
    expect(items.get('opened')).toEqual({ parentId: 'sent', rootId: 'sent' });
    expect(items.get('clicked')).toEqual({ parentId: 'opened', rootId: 'sent' });
    expect(items.get('signup')).toEqual({ parentId: 'clicked', rootId: 'sent' });
    expect(items.get('plain')).toEqual({ parentId: null, rootId: null });
  });

  it('keeps a root it is given, takes a parent not stored yet as the root, and ignores self references', async () => {
    await send(
      track('a', 'A', { parentId: 'not-yet' }),
      track('b', 'B', { parentId: 'a', rootId: 'elsewhere' }),
      track('c', 'C', { rootId: 'a' }),
      track('d', 'D', { parentId: 'd' }),
      track('e', 'E', { parentId: 42, rootId: '' }),
    );
    const items = await activity();
    expect(items.get('a')).toEqual({ parentId: 'not-yet', rootId: 'not-yet' });
    expect(items.get('b')).toEqual({ parentId: 'a', rootId: 'elsewhere' });
    expect(items.get('c')).toEqual({ parentId: 'a', rootId: 'a' });
    expect(items.get('d')).toEqual({ parentId: null, rootId: null });
    expect(items.get('e')).toEqual({ parentId: null, rootId: null });
  });

  it('takes parent and root from a chain token the project signed', async () => {
    await send(track('sent', 'Email Sent', null));
    const token = signChainToken(hark.project.settings.linkSecret, { rootId: 'sent', parentId: 'sent', personId: null });
    const answer = await send(
      { type: 'page', messageId: 'landing', anonymousId: 'anon-1', timestamp: at(), context: { hark: { chainToken: token } } },
      track('after', 'Tutorial Started', { chainToken: token, parentId: 'landing' }),
    );
    expect(answer).toMatchObject({ accepted: 2, warnings: [] });
    const items = await activity();
    expect(items.get('landing')).toEqual({ parentId: 'sent', rootId: 'sent' });
    expect(items.get('after')).toEqual({ parentId: 'landing', rootId: 'sent' });
    // The token did its work and is not kept in the stored event.
    const exported = await (await hark.admin(`/api/v1/people/${(await (await hark.admin('/api/v1/people/lookup?anonymousId=anon-1')).json()).id}/export`)).text();
    expect(exported).not.toContain(token);
  });

  it('ignores a forged chain token with a warning, and stores the event all the same', async () => {
    const forged = signChainToken('not-the-link-secret', { rootId: 'victim', parentId: 'victim', personId: null });
    const answer = await send(track('f1', 'Landed', { chainToken: forged }), track('f2', 'Landed', { chainToken: 'garbage' }), track('f3', 'Landed', { chainToken: 7 }));
    expect(answer.accepted).toBe(3);
    expect(answer.rejected).toEqual([]);
    expect(answer.warnings.map((w) => [w.index, w.messageId, w.code])).toEqual([
      [0, 'f1', 'chain_token_invalid'],
      [1, 'f2', 'chain_token_invalid'],
      [2, 'f3', 'chain_token_invalid'],
    ]);
    const items = await activity();
    for (const id of ['f1', 'f2', 'f3']) expect(items.get(id)).toEqual({ parentId: null, rootId: null });
  });

  it('reads nothing more from the store for an event that names no chain', async () => {
    let reads = 0;
    const events = { chainOf: () => (reads++, null) };
    const plain = normalizeEvent({ type: 'track', messageId: 'x', anonymousId: 'a', event: 'E' }, { receivedAt: 0, sentAt: null, context: null, userAgent: null });
    const rooted = normalizeEvent({ type: 'track', messageId: 'y', anonymousId: 'a', event: 'E', context: { hark: { parentId: 'p', rootId: 'r' } } }, { receivedAt: 0, sentAt: null, context: null, userAgent: null });
    if (!plain.ok || !rooted.ok) throw new Error('normalize failed');
    await settleChain(events, 'p', plain.event);
    await settleChain(events, 'p', rooted.event);
    expect(reads).toBe(0);
    expect(rooted.event).toMatchObject({ parentId: 'p', rootId: 'r' });
  });
});

describe('GET /api/v1/events/:messageId/chain', () => {
  it('answers the tree under the root of any event of the chain, children nested by parent', async () => {
    await send({ type: 'identify', messageId: 'id', anonymousId: 'anon-1', userId: 'u1', traits: { email: 'ana@acme.test', name: 'Ana' }, timestamp: at() });
    hark.clock.advance(1000);
    await send(track('sent', 'Email Sent', null, { properties: { subject: 'Welcome' } }));
    hark.clock.advance(1000);
    await send({ type: 'page', messageId: 'landing', anonymousId: 'anon-1', timestamp: at(), properties: { path: '/tutorial' }, context: { hark: { parentId: 'sent' } } });
    hark.clock.advance(1000);
    await send(track('step1', 'Tutorial Step', { parentId: 'landing' }), track('step2', 'Tutorial Step', { parentId: 'landing' }));
    hark.clock.advance(1000);
    await send(track('done', 'Tutorial Done', { parentId: 'step2' }), track('other', 'Other', null));

    for (const asked of ['sent', 'done']) {
      const res = await hark.admin(`/api/v1/events/${asked}/chain`);
      expect(res.status).toBe(200);
      const tree = await res.json();
      expect(tree).toMatchObject({ messageId: asked, rootId: 'sent', count: 5, truncated: false });
      expect(tree.root).toMatchObject({ messageId: 'sent', type: 'track', name: 'Email Sent', properties: { subject: 'Welcome' }, person: { email: 'ana@acme.test', name: 'Ana' } });
      const shape = (node: { messageId: string; children: unknown[] }): unknown => [node.messageId, node.children.map((child) => shape(child as typeof node))];
      expect(shape(tree.root)).toEqual(['sent', [['landing', [['step1', []], ['step2', [['done', []]]]]]]]);
      expect(tree.root.children[0]).toMatchObject({ type: 'page', parentId: 'sent', time: expect.any(String) });
    }
    // An event in no chain is a tree of one.
    expect(await (await hark.admin('/api/v1/events/other/chain')).json()).toMatchObject({ rootId: 'other', count: 1, root: { messageId: 'other', children: [] } });
    expect((await hark.admin('/api/v1/events/nope/chain')).status).toBe(404);
  });

  it('caps the events it reads and says so, and shows a root that was never stored', async () => {
    await send(track('c1', 'C', { parentId: 'gone' }), track('c2', 'C', { parentId: 'c1' }), track('c3', 'C', { parentId: 'c1' }));
    const capped = await hark.store.chains.chainOf(hark.project.id, 'c3', 2);
    expect(capped).toMatchObject({ rootId: 'gone', truncated: true });
    expect(capped!.events).toHaveLength(2);
    const tree = await (await hark.admin('/api/v1/events/c2/chain')).json();
    expect(tree).toMatchObject({ rootId: 'gone', count: 3, truncated: false, root: { messageId: 'gone', type: null } });
    expect(tree.root.children.map((child: { messageId: string }) => child.messageId)).toEqual(['c1']);
  });
});

describe('the channel of a timeline event', () => {
  it('is derived from the event name and context', () => {
    expect(channelOf('Email Opened', {})).toBe('email');
    expect(channelOf('Message Answered', {})).toBe('message');
    expect(channelOf('Automation Entered', {})).toBe('automation');
    expect(channelOf('Trait Updated', { automation: { id: 'a1' } })).toBe('automation');
    expect(channelOf('Form Submitted', { hook: { sourceId: 's1' } })).toBe('webhook');
    expect(channelOf(null, { page: {} })).toBe('web');
    expect(channelOf('Signed Up', {})).toBe('web');
  });
});
