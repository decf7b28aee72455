import { describe, expect, it } from 'vitest';
import { AUDIENCE_CHUNK } from '../../audiences/fill-and-sweep.js';
import { runImport } from '../../audiences/imports/index.js';
import { normalizeEvent } from '../../ingest/normalize-event.js';
import { storeEvents } from '../../ingest/store-events.js';
import { factsNeeded, type Rule } from '../../rules/index.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';
import { identifyPerson } from './contract-people.js';

const DAY = 86_400_000;

export interface AudienceContractContext {
  store: Store;
  project: Project;
  /** The store's clock now, and a way to move it (re-evaluation reads the store's clock). */
  now(): number;
  setNow(ms: number): void;
}

let sequence = 0;

/**
 * Segments with kept membership and CSV imports (segment-store.ts, import-store.ts) on every
 * store: the fill with its progress, membership following ingest with Segment Entered/Exited on
 * the timeline, rolling windows leaving through the sweep (claimed once however many sweep),
 * preview, list and company leaves re-evaluating in the change's transaction, and an import with
 * a rejected row and an existing contact updated.
 */
export function defineAudienceContract(current: () => AudienceContractContext): void {
  /** Events through the real normalisation and write path, at the clock's now. */
  const send = async (events: Record<string, unknown>[]): Promise<void> => {
    const { store, project, now } = current();
    const normalized = events.map((fields) => {
      const result = normalizeEvent({ messageId: `aud-${++sequence}`, timestamp: new Date(now()).toISOString(), ...fields }, { receivedAt: now(), sentAt: null, context: null, userAgent: null });
      if (!result.ok) throw new Error(result.message);
      return result.event;
    });
    const outcomes = await storeEvents(store, project.id, normalized);
    for (const outcome of outcomes) if (outcome.status !== 'stored') throw new Error(`not stored: ${JSON.stringify(outcome)}`);
  };
  const createSegment = async (name: string, rules: Rule): Promise<string> => {
    const { store, project, now } = current();
    const segment = await store.segments.create(project.id, { name, rules }, now());
    await store.segments.idle();
    return segment.id;
  };
  const memberIds = async (segmentId: string): Promise<string[]> => {
    const { store, project } = current();
    return (await store.segments.people(project.id, segmentId, { limit: 1000, cursor: null })).items.map((p) => p.id).sort();
  };
  const transitions = async (personId: string): Promise<string[]> => {
    const { store, project } = current();
    const page = await store.listActivity(project.id, personId, { limit: 100, cursor: null });
    return page.items.filter((item) => item.name?.startsWith('Segment ')).map((item) => `${item.name}: ${String(item.properties.segmentName)}`);
  };

  describe('segments and imports', () => {
    it('fills a new segment over everyone with progress, then answers its members, count and pages', async () => {
      const { store, project, now } = current();
      const count = AUDIENCE_CHUNK + 20;
      await send(Array.from({ length: count }, (_, i) => ({ type: 'identify', userId: `u${String(i).padStart(4, '0')}`, traits: { n: i } })));
      const created = await store.segments.create(project.id, { name: 'Low', rules: { type: 'trait', trait: 'n', op: 'lt', value: 30 } }, now());
      expect(created).toMatchObject({ name: 'Low', status: 'filling', progress: { processed: 0, total: count }, size: 0 });
      await store.segments.idle();
      expect(await store.segments.get(project.id, created.id)).toMatchObject({ status: 'ready', progress: { processed: count, total: count }, size: 30 });
      expect(await store.segments.count(project.id, created.id)).toBe(30);
      const first = await store.segments.people(project.id, created.id, { limit: 20, cursor: null });
      const rest = await store.segments.people(project.id, created.id, { limit: 20, cursor: first.nextCursor });
      expect(first.items).toHaveLength(20);
      expect(rest).toMatchObject({ nextCursor: null });
      expect(new Set([...first.items, ...rest.items].map((p) => p.id)).size).toBe(30);
      // The fill records each entry on the member's timeline, marked as a fill.
      const member = first.items[0]!.id;
      expect(await transitions(member)).toEqual(['Segment Entered: Low']);
      expect(await store.segments.forPerson(project.id, member)).toEqual([{ id: created.id, name: 'Low', enteredAt: new Date(now()).toISOString() }]);
      expect(await store.segments.memberOf(project.id, member, [created.id, 'other'])).toEqual(new Set([created.id]));

      // A new tree refills; a new name alone does not.
      expect(await store.segments.update(project.id, created.id, { name: 'Lower' }, now())).toMatchObject({ name: 'Lower', status: 'ready' });
      expect(await store.segments.update(project.id, created.id, { rules: { type: 'trait', trait: 'n', op: 'lt', value: 5 } }, now())).toMatchObject({ status: 'filling' });
      await store.segments.idle();
      expect(await store.segments.get(project.id, created.id)).toMatchObject({ status: 'ready', size: 5 });
      expect((await store.segments.list(project.id, { limit: 10, cursor: null })).items.map((s) => s.id)).toEqual([created.id]);
      expect(await store.segments.remove(project.id, created.id)).toBe(true);
      expect(await store.segments.remove(project.id, created.id)).toBe(false);
      expect(await store.segments.get(project.id, created.id)).toBeNull();
      expect(await store.segments.forPerson(project.id, member)).toEqual([]);
      // Over a chunk of people, twice filled: PostgreSQL pays round trips per person.
    }, 60_000);

    it('follows ingest: enters and exits as traits and events arrive, on the timeline once each', async () => {
      const { store, project, now, setNow } = current();
      const ada = await identifyPerson(store, project.id, { userId: 'ada', traits: { plan: 'free' } }, now());
      const id = await createSegment('Pro buyers', { and: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { type: 'event', event: 'Bought', count: { op: 'at_least', value: 2 } }] });
      expect(await memberIds(id)).toEqual([]);
      await send([{ type: 'identify', userId: 'ada', traits: { plan: 'pro' } }, { type: 'track', userId: 'ada', event: 'Bought' }]);
      expect(await memberIds(id)).toEqual([]);
      setNow(now() + 1000);
      await send([{ type: 'track', userId: 'ada', event: 'Bought' }]);
      expect(await memberIds(id)).toEqual([ada]);
      setNow(now() + 1000);
      await send([{ type: 'identify', userId: 'ada', traits: { plan: 'free' } }]);
      expect(await memberIds(id)).toEqual([]);
      expect(await transitions(ada)).toEqual(['Segment Exited: Pro buyers', 'Segment Entered: Pro buyers']);

      // A visitor merged into Ada brings their history; the survivor is evaluated on all of it.
      await send([{ type: 'track', anonymousId: 'anon-ada', event: 'Bought' }, { type: 'track', anonymousId: 'anon-ada', event: 'Bought' }]);
      await send([{ type: 'identify', userId: 'ada', anonymousId: 'anon-ada', traits: { plan: 'pro' } }]);
      expect(await memberIds(id)).toEqual([ada]);
    });

    it('lets a rolling window expire as the clock moves, swept once however many sweep at once', async () => {
      const { store, project, now, setNow } = current();
      const active = await createSegment('Active', { type: 'event', event: 'Logged In', count: { op: 'at_least', value: 1 }, window: { lastDays: 7 } });
      const ada = await identifyPerson(store, project.id, { userId: 'ada' }, now());
      await send([{ type: 'track', userId: 'ada', event: 'Logged In' }]);
      expect(await memberIds(active)).toEqual([ada]);
      setNow(now() + 3 * DAY);
      expect(await store.segments.sweepDue(now())).toBe(0);
      expect(await memberIds(active)).toEqual([ada]);
      setNow(now() + 5 * DAY);
      // Two sweeps at once (two collectors' timers on PostgreSQL): the person is taken by one.
      const swept = await Promise.all([store.segments.sweepDue(now()), store.segments.sweepDue(now())]);
      expect(swept[0] + swept[1]).toBe(1);
      expect(await memberIds(active)).toEqual([]);
      expect(await transitions(ada)).toEqual(['Segment Exited: Active', 'Segment Entered: Active']);
      expect(await store.segments.sweepDue(now() + 365 * DAY)).toBe(0);
    });

    it('previews an unsaved tree: the count, the first people and how many were scanned', async () => {
      const { store, project, now } = current();
      await send(Array.from({ length: 30 }, (_, i) => ({ type: 'identify', userId: `p${i}`, traits: { n: i } })));
      const preview = await store.segments.preview(project.id, { type: 'trait', trait: 'n', op: 'gte', value: 5 }, now());
      expect(preview).toMatchObject({ count: 25, scanned: 30 });
      expect(preview.people).toHaveLength(20);
      expect(preview.people.every((p) => (p.traits.n as number) >= 5)).toBe(true);
      expect(await store.segments.preview('another-project', { type: 'kind', value: ['user'] }, now())).toEqual({ count: 0, people: [], scanned: 0 });
    });

    it('re-evaluates list and company leaves in the change that moves them, and reads live facts', async () => {
      const { store, project, now } = current();
      const ada = await identifyPerson(store, project.id, { userId: 'ada' }, now());
      const list = await store.lists.create(project.id, 'VIP', now());
      const notVip = await createSegment('Not VIP', { not: { type: 'list', list: list.id } });
      await store.companies.create(project.id, 'acme', { industry: 'Retail' }, now());
      const retail = await createSegment('Retail', { type: 'company_trait', trait: 'industry', op: 'equals', value: 'Retail' });
      expect(await memberIds(notVip)).toEqual([ada]);
      expect(await memberIds(retail)).toEqual([]);

      await store.lists.addPeopleToList(project.id, list.id, [ada], now());
      expect(await memberIds(notVip)).toEqual([]);
      await store.lists.removePeopleFromList(project.id, list.id, [ada], now());
      expect(await memberIds(notVip)).toEqual([ada]);
      await store.lists.addPeopleToList(project.id, list.id, [ada], now());
      await store.lists.remove(project.id, list.id);
      expect(await memberIds(notVip)).toEqual([ada]);

      await store.companies.addPerson(project.id, 'acme', { id: ada }, now());
      expect(await memberIds(retail)).toEqual([ada]);
      await store.companies.update(project.id, 'acme', { industry: 'Banking' }, now());
      expect(await memberIds(retail)).toEqual([]);
      await store.companies.update(project.id, 'acme', { industry: 'Retail' }, now());
      expect(await memberIds(retail)).toEqual([ada]);
      await store.companies.removePerson(project.id, 'acme', ada);
      expect(await memberIds(retail)).toEqual([]);

      // A console trait edit re-evaluates the segments reading the key.
      const vipTrait = await createSegment('Trait VIP', { type: 'trait', trait: 'vip', op: 'equals', value: true });
      await store.patchPersonTraits(project.id, ada, { vip: true }, now());
      expect(await memberIds(vipTrait)).toEqual([ada]);

      // Live facts (message audiences, suppression rules) read the same rows.
      const needed = factsNeeded({ and: [{ type: 'trait', trait: 'vip', op: 'equals', value: true }, { type: 'company_trait', trait: 'industry', op: 'equals', value: 'Retail' }] });
      const facts = await store.segments.facts(project.id, ada, needed);
      expect(facts).toMatchObject({ kind: 'user', userId: 'ada', traits: { vip: true }, companies: [] });
      expect(await store.segments.facts(project.id, 'nobody', needed)).toBeNull();
    });

    it('imports a CSV onto a list: a rejected row, an existing contact updated, progress counted, segments following', async () => {
      const { store, project, now } = current();
      const ann = await identifyPerson(store, project.id, { userId: 'u-ann', traits: { email: 'ann@example.com', name: 'Ann', plan: 'free' } }, now());
      const leads = await createSegment('Leads', { type: 'kind', value: ['lead'] });
      const list = await store.lists.create(project.id, 'Newsletter', now());
      const onList = await createSegment('On the list', { type: 'list', list: list.id });
      const job = await store.imports.create(project.id, list.id, now());
      expect(job).toMatchObject({ status: 'queued', listId: list.id, rowsRead: 0, rejectedRows: [], finishedAt: null });
      const csv = ['name,email,plan', 'Ann Lee,ANN@example.com,pro', 'Bob,bob@example.com,', 'Nobody,not-an-email,', 'Cy,cy@example.com,trial'].join('\n');
      await runImport({ imports: store.imports, lists: store.lists, clock: { now } }, { projectId: project.id, importId: job.id, listId: list.id, csv });

      const done = await store.imports.get(project.id, job.id);
      expect(done).toMatchObject({ status: 'done', rowsRead: 4, created: 2, updated: 1, rejected: 1, error: null, rejectedRows: [{ line: 4, reason: 'invalid email "not-an-email"' }] });
      expect(done!.finishedAt).not.toBeNull();
      expect(await store.imports.get('another-project', job.id)).toBeNull();
      // Ann is updated in place (no duplicate), the new contacts are leads; all three are on the list.
      expect(await store.lookupPerson(project.id, { email: 'ann@example.com' })).toMatchObject({ id: ann, kind: 'user', traits: { plan: 'pro', name: 'Ann Lee' } });
      expect((await store.projectTotals(project.id)).people).toBe(3);
      expect((await store.lists.get(project.id, list.id))!.size).toBe(3);
      const bob = (await store.lookupPerson(project.id, { email: 'bob@example.com' }))!.id;
      const cy = (await store.lookupPerson(project.id, { email: 'cy@example.com' }))!.id;
      expect(await memberIds(leads)).toEqual([bob, cy].sort());
      expect(await memberIds(onList)).toEqual([ann, bob, cy].sort());
    });
  });
}
