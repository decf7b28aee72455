import { afterEach, describe, expect, it } from 'vitest';
import { createChangedPeople } from '../src/audiences/changed-people.js';
import { reevaluatePerson } from '../src/audiences/reevaluate.js';
import { createSegmentCatalog } from '../src/audiences/segment-catalog.js';
import type { AudienceTx } from '../src/audiences/segment-ports.js';
import { trackIngestChanges } from '../src/audiences/track-ingest-changes.js';
import { emptyFacts, type FactsChange, type Rule } from '../src/rules/index.js';
import type { IngestTx } from '../src/store/ports.js';
import { adminJson, identify } from './audience-helpers.js';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector | undefined;
afterEach(async () => {
  await hark?.close();
  hark = undefined;
});

async function segment(api: ReturnType<typeof adminJson>, rules: unknown, name = 'S'): Promise<string> {
  const res = await api.post('/api/v1/segments', { name, rules });
  expect(res.status).toBe(201);
  await hark!.store.segments.idle();
  return res.body.id as string;
}
const userIds = async (api: ReturnType<typeof adminJson>, id: string): Promise<string[]> =>
  (await api.get(`/api/v1/segments/${id}/people?limit=200`)).body.items.map((p: { userId: string | null }) => p.userId).sort();
const page = (userId: string, at: number) => ({ type: 'page', messageId: mid('p'), userId, properties: { path: '/' }, timestamp: new Date(at).toISOString() });

/** An in-memory AudienceTx that counts facts loads, for what the domain decides to evaluate. */
function countingAudience(rules: Record<string, Rule>): { tx: AudienceTx; loads: () => number } {
  let loads = 0;
  const members = new Set<string>();
  const none = () => undefined;
  const tx: AudienceTx = {
    trees: { all: () => Object.entries(rules).map(([id, r]) => ({ id, name: id, rules: r })) },
    members: {
      of: () => [...members],
      enter: (_p, segmentId) => !members.has(segmentId) && members.add(segmentId).size > 0,
      exit: (_p, segmentId) => members.delete(segmentId),
      dropAliases: none,
    },
    timeline: { track: none },
    rechecks: { set: none, bringForward: none, drop: none, due: () => [] },
    counts: { bump: none },
    facts: {
      load: () => {
        loads++;
        return emptyFacts({ lastSeenAt: 0 });
      },
    },
    fills: { next: () => null, peopleAfter: () => [], advance: none, finish: none },
  };
  return { tx, loads: () => loads };
}

describe('what a change re-evaluates', () => {
  const rules: Record<string, Rule> = {
    seen: { type: 'last_seen', op: 'within_last_days', value: 7 },
    geo: { type: 'geo', field: 'country', op: 'equals', value: 'FR' },
    bought: { type: 'event', event: 'Bought' },
    plan: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' },
    kind: { type: 'kind', value: ['user'] },
  };
  const evaluated = async (change: FactsChange): Promise<number> => {
    const { tx, loads } = countingAudience(rules);
    await reevaluatePerson(tx, createSegmentCatalog(), 'p', 'person', change, 0);
    return loads();
  };

  it('loads nothing when no segment reads what changed', async () => {
    expect(await evaluated({ events: ['Page Viewed Elsewhere'] })).toBe(0);
    expect(await evaluated({ traits: ['seats'] })).toBe(0);
    expect(await evaluated({ companies: true })).toBe(0);
    expect(await evaluated({ seen: true })).toBe(1);
    expect(await evaluated({ geo: true })).toBe(1);
    expect(await evaluated({ traits: ['plan'] })).toBe(1);
    expect(await evaluated({ traits: ['$kind'] })).toBe(1);
  });

  it('marks last seen only when touch moved it, the place only when it changed, traits by key', async () => {
    const changed = createChangedPeople();
    const { tx: audience } = countingAudience(rules);
    let moved = false;
    let traits: Record<string, unknown> = { plan: 'free', seats: 1 };
    const person = { id: 'person', kind: 'user' as const, userId: 'u', email: null, traits, traitsAt: 0, createdAt: 0, lastSeenAt: 0, verified: false };
    const noop = () => undefined;
    const rows = {
      events: { exists: () => false, insert: noop },
      identities: { find: () => 'person', add: noop, anyErased: () => false, isErased: () => false },
      people: {
        get: () => ({ ...person, traits }),
        create: noop,
        update: (_id: string, patch: { traits?: Record<string, unknown> }) => void (patch.traits && (traits = patch.traits)),
        markVerified: noop,
        setLocation: () => moved,
        absorb: noop,
        recordMerge: noop,
        touch: () => moved,
      },
      companies: { get: () => null, save: noop, addMember: noop },
      deliveries: {} as IngestTx['deliveries'],
    } as unknown as IngestTx;
    const tx = trackIngestChanges(rows, audience, changed, () => true);
    await tx.identities.find('p', 'user', 'u');
    await tx.people.touch('person', 1, 60_000);
    await tx.people.setLocation('person', { country: 'FR', region: null, city: null, continent: 'EU' });
    await tx.people.update('person', { traits: { plan: 'free', seats: 2 } });
    expect(changed.size).toBe(1);
    const folded: FactsChange[] = [];
    const spy = { ...audience, facts: { load: (...args: Parameters<AudienceTx['facts']['load']>) => (folded.push({}), audience.facts.load(...args)) } };
    await changed.reevaluate(spy, createSegmentCatalog(), 0);
    // Only `seats` changed, which no segment reads; last seen and the place did not move.
    expect(folded).toHaveLength(0);

    moved = true;
    await tx.people.touch('person', 120_000, 60_000);
    await changed.reevaluate(spy, createSegmentCatalog(), 0);
    expect(folded).toHaveLength(1);
  });
});

describe('a person created in the unit of work', () => {
  it('is evaluated without reading memberships or aliases, unless someone merged into them in the same unit', async () => {
    const reads: string[] = [];
    const { tx } = countingAudience({ plan: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } });
    const spy: AudienceTx = {
      ...tx,
      members: { ...tx.members, of: (...args) => (reads.push('of'), tx.members.of(...args)), dropAliases: () => void reads.push('aliases') },
    };
    const changed = createChangedPeople();
    changed.mark('p', 'new', { all: true, created: true });
    changed.mark('p', 'new', { events: ['Bought'] });
    await changed.reevaluate(spy, createSegmentCatalog(), 0);
    expect(reads).toEqual([]);

    changed.mark('p', 'new', { all: true, created: true });
    changed.mark('p', 'new', { all: true }); // a merge into the new person: it now has aliases
    await changed.reevaluate(spy, createSegmentCatalog(), 0);
    expect(reads).toEqual(['aliases', 'of']);
  });
});

describe('kept membership through app.request', () => {
  it('re-evaluates a last-seen segment once the last-seen minute moves, not on every event', async () => {
    hark = await startCollector();
    const api = adminJson(hark);
    const start = hark.clock.now();
    await identify(hark, 'ann');
    const after = new Date(start + 30_000).toISOString();
    const id = await segment(api, { type: 'last_seen', op: 'after', value: after });
    expect(await userIds(api, id)).toEqual([]);

    // 20 s later: last seen stays at the minute it was (ARCHITECTURE.md), so nothing changes.
    hark.clock.advance(20_000);
    await hark.send('/v1/batch', { batch: [page('ann', hark.clock.now())] });
    expect(await userIds(api, id)).toEqual([]);
    expect((await api.get(`/api/v1/people/lookup?userId=ann`)).body.lastSeenAt).toBe(new Date(start).toISOString());

    // 90 s after the first: it moves, and the segment follows.
    hark.clock.advance(70_000);
    await hark.send('/v1/batch', { batch: [page('ann', hark.clock.now())] });
    expect(await userIds(api, id)).toEqual(['ann']);
  });

  it('follows a geography segment when the place changes', async () => {
    hark = await startCollector();
    const api = adminJson(hark);
    await identify(hark, 'bo');
    const id = await segment(api, { type: 'geo', field: 'country', op: 'equals', value: 'FR' });
    expect(await userIds(api, id)).toEqual([]);
    const geo = { country: 'FR', region: null, city: 'Paris', continent: 'EU' };
    // The request's place as geolocation gives it (the store reads it from the event).
    const stored = await hark.store.transact(1, async (tx) => {
      const personId = (await tx.identities.find((await hark!.store.ensureDefaultProject({})).project.id, 'user', 'bo'))!;
      return { personId, moved: await tx.people.setLocation(personId, geo) };
    });
    expect(stored.moved).toBe(true);
    expect(await userIds(api, id)).toEqual(['bo']);
  });

  it('re-evaluates on a console trait edit, a company join, a company edit and leaving it', async () => {
    hark = await startCollector();
    const api = adminJson(hark);
    const personId = await identify(hark, 'cy', { plan: 'free' });
    const pro = await segment(api, { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, 'Pro');
    const retail = await segment(api, { type: 'company_trait', trait: 'industry', op: 'equals', value: 'Retail' }, 'Retail');
    expect(await userIds(api, pro)).toEqual([]);

    expect((await api.patch(`/api/v1/people/${personId}`, { traits: { plan: 'pro' } })).status).toBe(200);
    expect(await userIds(api, pro)).toEqual(['cy']);
    const timeline = (await api.get(`/api/v1/people/${personId}/activity?limit=50`)).body.items.map((e: { name: string }) => e.name);
    expect(timeline).toContain('Segment Entered');

    expect((await api.post('/api/v1/companies', { id: 'shop', name: 'Shop', traits: { industry: 'Retail' } })).status).toBe(201);
    expect((await api.post('/api/v1/companies/shop/people', { id: personId })).status).toBe(201);
    expect(await userIds(api, retail)).toEqual(['cy']);

    expect((await api.patch('/api/v1/companies/shop', { traits: { industry: 'Software' } })).status).toBe(200);
    expect(await userIds(api, retail)).toEqual([]);
    expect((await api.patch('/api/v1/companies/shop', { traits: { industry: 'Retail' } })).status).toBe(200);
    expect(await userIds(api, retail)).toEqual(['cy']);

    expect((await api.del(`/api/v1/companies/shop/people/${personId}`)).status).toBe(204);
    expect(await userIds(api, retail)).toEqual([]);
  });

  it('re-evaluates the people an import creates or updates', async () => {
    hark = await startCollector();
    const api = adminJson(hark);
    await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), userId: 'dee', traits: { email: 'dee@example.com', name: 'Dee', plan: 'free' } }] });
    const pro = await segment(api, { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, 'Pro');
    const list = (await api.post('/api/v1/lists', { name: 'Import' })).body.id as string;
    const csv = 'name,email,plan\nDee,dee@example.com,pro\nEd,ed@example.com,pro\nFay,fay@example.com,free\n';
    const started = await hark.admin(`/api/v1/lists/${list}/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(started.status).toBe(202);
    const jobId = ((await started.json()) as { id: string }).id;
    for (;;) {
      const job = (await api.get(`/api/v1/imports/${jobId}`)).body;
      if (job.status === 'done' || job.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const emails = (await api.get(`/api/v1/segments/${pro}/people?limit=200`)).body.items.map((p: { email: string | null }) => p.email).sort();
    expect(emails).toEqual(['dee@example.com', 'ed@example.com']);
  });
});
