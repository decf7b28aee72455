import { MESSAGE_EVENTS } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../clock.js';
import { normalizeEvent } from '../../ingest/normalize-event.js';
import { storeEvents } from '../../ingest/store-events.js';
import { loadEligibilityFacts, readFactsOneByOne } from '../../messages/eligibility-facts.js';
import type { MessageRecord } from '../../messages/message-schema.js';
import { InvalidCursorError } from '../cursor.js';
import type { Store } from '../store.js';
import type { IngestOutcome, NormalizedEvent, Project } from '../types.js';
import { defineAudienceContract } from './audience-contract.js';
import { defineAutomationContract } from './automation-contract.js';
import { defineCompanyContract } from './company-contract.js';
import { defineEmailContract } from './email-contract.js';
import { defineListContract } from './list-contract.js';
import { defineSuppressionRulesContract } from './suppression-rules-contract.js';
import { defineTeamContract } from './team-contract.js';

/** What a store's test file hands the contract: a fresh, empty store on the clock it is given. */
export type OpenStore = (clock: Clock) => Promise<{ store: Store; close: () => Promise<void> }>;

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const DAY = 86_400_000;

/**
 * The behaviour every store must have, written once against the store's interface and the
 * domain modules that drive it (never against a driver), so SQLite and PostgreSQL are held to
 * the same rules. A store's test file calls this with a way to open a fresh store.
 */
export function defineStoreContract(name: string, open: OpenStore): void {
  describe(`${name} store contract`, () => {
    let now = T0;
    const clock: Clock = { now: () => now };
    let store: Store;
    let close: () => Promise<void>;
    let project: Project;
    let sequence = 0;

    beforeEach(async () => {
      now = T0;
      ({ store, close } = await open(clock));
      ({ project } = await store.ensureDefaultProject({}));
    });
    afterEach(async () => {
      await close();
    });

    /** A wire event through the real normalisation, so the store gets exactly what ingest gives it. */
    const event = (fields: Record<string, unknown>, verified = false): NormalizedEvent => {
      const result = normalizeEvent({ messageId: `c-${++sequence}`, timestamp: new Date(now).toISOString(), ...fields }, { receivedAt: now, sentAt: null, context: null, userAgent: null });
      if (!result.ok) throw new Error(result.message);
      result.event.verified = verified;
      return result.event;
    };
    const ingest = (...events: NormalizedEvent[]): Promise<IngestOutcome[]> => storeEvents(store, project.id, events);
    const lookup = (by: { userId: string } | { anonymousId: string } | { email: string }) => store.lookupPerson(project.id, by);

    describe('events and identity', () => {
      it('stores an event once, however often it is sent', async () => {
        const page = event({ type: 'page', anonymousId: 'a1', name: 'Home' });
        expect(await ingest(page, page)).toMatchObject([{ status: 'stored' }, { status: 'duplicate' }]);
        expect(await ingest(page)).toEqual([{ status: 'duplicate' }]);
        expect((await store.projectTotals(project.id)).events).toBe(1);
      });

      it('folds an anonymous history into the user on identify, and finds them by every id', async () => {
        await ingest(event({ type: 'page', anonymousId: 'a1' }), event({ type: 'track', anonymousId: 'a1', event: 'Viewed Pricing' }));
        now += 1000;
        await ingest(event({ type: 'identify', userId: 'u1', traits: { name: 'Ana' } }));
        now += 1000;
        const [linked] = await ingest(event({ type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { email: 'ana@example.com' } }));
        expect(linked).toMatchObject({ status: 'stored' });

        const ana = await lookup({ userId: 'u1' });
        expect(ana).toMatchObject({ kind: 'user', userId: 'u1', email: 'ana@example.com', traits: { name: 'Ana', email: 'ana@example.com' } });
        expect(ana!.counts.events).toBe(4);
        expect(ana!.mergedFrom).toHaveLength(1);
        expect((await lookup({ anonymousId: 'a1' }))!.id).toBe(ana!.id);
        expect((await lookup({ email: 'ana@example.com' }))!.id).toBe(ana!.id);
        // The absorbed person's id still leads to the survivor.
        expect((await store.getPerson(project.id, ana!.mergedFrom[0]!))!.id).toBe(ana!.id);
      });

      it('never merges an anonymous id that belongs to another user', async () => {
        await ingest(event({ type: 'identify', anonymousId: 'shared-laptop', userId: 'ana' }));
        const [second] = await ingest(event({ type: 'identify', anonymousId: 'shared-laptop', userId: 'bea' }));
        expect(second).toMatchObject({ status: 'stored', warning: { code: 'identity_conflict' } });
        const ana = await lookup({ userId: 'ana' });
        const bea = await lookup({ userId: 'bea' });
        expect(bea!.id).not.toBe(ana!.id);
        expect((await lookup({ anonymousId: 'shared-laptop' }))!.id).toBe(ana!.id);
      });

      it('refuses placeholder ids and events without any id', async () => {
        expect(await ingest(event({ type: 'track', userId: 'undefined', event: 'X' }), event({ type: 'track', anonymousId: 'null', event: 'X' }))).toMatchObject([
          { status: 'rejected', code: 'placeholder_id' },
          { status: 'rejected', code: 'placeholder_id' },
        ]);
      });

      it('lets newer traits win and a late, older event only fill gaps', async () => {
        await ingest(event({ type: 'identify', userId: 'u1', traits: { plan: 'pro' } }));
        now -= 60_000;
        await ingest(event({ type: 'identify', userId: 'u1', traits: { plan: 'free', seats: 3 } }));
        expect((await lookup({ userId: 'u1' }))!.traits).toEqual({ plan: 'pro', seats: 3 });
      });

      it('makes a lead from an email, and a user who gives that email absorbs the lead', async () => {
        await ingest(event({ type: 'track', anonymousId: 'form', event: 'Subscribed', properties: { email: 'lee@example.com' } }));
        expect(await lookup({ email: 'lee@example.com' })).toMatchObject({ kind: 'lead', userId: null });
        now += 1000;
        await ingest(event({ type: 'identify', userId: 'lee', traits: { email: 'lee@example.com' } }));
        const lee = await lookup({ userId: 'lee' });
        expect(lee).toMatchObject({ kind: 'user', email: 'lee@example.com' });
        expect((await lookup({ anonymousId: 'form' }))!.id).toBe(lee!.id);
      });

      it('keeps a verified person from being changed without proof', async () => {
        await ingest(event({ type: 'identify', anonymousId: 'v-cookie', userId: 'vip', traits: { name: 'Vera' } }, true));
        expect(await ingest(event({ type: 'track', userId: 'vip', event: 'X' }))).toMatchObject([{ status: 'rejected', code: 'unverified_identity' }]);
        const [byCookie] = await ingest(event({ type: 'identify', anonymousId: 'v-cookie', traits: { name: 'Mallory' } }));
        expect(byCookie).toMatchObject({ status: 'stored', warning: { code: 'unverified_identity' } });
        expect((await lookup({ userId: 'vip' }))!.traits).toEqual({ name: 'Vera' });
      });

      it('creates a company from a group call and merges its traits', async () => {
        await ingest(event({ type: 'group', userId: 'u1', groupId: 'acme', traits: { name: 'Acme' } }));
        now += 1000;
        await ingest(event({ type: 'group', userId: 'u2', groupId: 'acme', traits: { plan: 'team' } }));
        const acme = await store.getCompany(project.id, 'acme');
        expect(acme).toMatchObject({ id: 'acme', name: 'Acme', traits: { name: 'Acme', plan: 'team' } });
        expect(acme!.people.map((p) => p.userId).sort()).toEqual(['u1', 'u2']);
        expect((await lookup({ userId: 'u1' }))!.companies.map((c) => c.id)).toEqual(['acme']);
      });

      it('rolls back a unit of work that throws, leaving nothing of it', async () => {
        const work = store.transact(1, async (tx) => {
          await tx.people.create(project.id, { id: 'half-written', kind: 'visitor', userId: null, at: now });
          throw new Error('the caller failed half way');
        });
        await expect(work).rejects.toThrow('half way');
        expect(await store.getPerson(project.id, 'half-written')).toBeNull();
      });

      it('pages a timeline newest first, and refuses a cursor it did not give out', async () => {
        for (let i = 0; i < 5; i++) {
          now += 1000;
          await ingest(event({ type: 'track', anonymousId: 'pager', event: `E${i}` }));
        }
        const person = await lookup({ anonymousId: 'pager' });
        const first = await store.listActivity(project.id, person!.id, { limit: 3, cursor: null });
        const second = await store.listActivity(project.id, person!.id, { limit: 3, cursor: first.nextCursor });
        expect([...first.items, ...second.items].map((item) => item.name)).toEqual(['E4', 'E3', 'E2', 'E1', 'E0']);
        expect(second.nextCursor).toBeNull();
        await expect(store.listActivity(project.id, person!.id, { limit: 3, cursor: 'not-ours' })).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('chain of events', () => {
      it('stores parent and root, inherits the root through the parent, and reads a chain by its root', async () => {
        await ingest(event({ type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { email: 'ana@example.com' } }));
        now += 1000;
        const sent = event({ type: 'track', anonymousId: 'a1', event: 'Email Sent' });
        const opened = event({ type: 'track', anonymousId: 'a1', event: 'Email Opened', context: { hark: { parentId: sent.messageId } } });
        await ingest(sent, opened);
        now += 1000;
        const clicked = event({ type: 'track', anonymousId: 'a1', event: 'Email Clicked', context: { hark: { parentId: opened.messageId } } });
        await ingest(clicked);
        const chain = await store.chains.chainOf(project.id, clicked.messageId, 10);
        expect(chain).toMatchObject({ rootId: sent.messageId, truncated: false });
        expect(chain!.events.map((e) => [e.messageId, e.parentId])).toEqual([
          [sent.messageId, null],
          [opened.messageId, sent.messageId],
          [clicked.messageId, opened.messageId],
        ]);
        expect(chain!.events[2]!.person).toMatchObject({ email: 'ana@example.com' });
        expect((await store.chains.chainOf(project.id, clicked.messageId, 2))!.truncated).toBe(true);
        expect(await store.chains.chainOf(project.id, 'missing', 10)).toBeNull();
        const person = await lookup({ userId: 'u1' });
        const items = (await store.listActivity(project.id, person!.id, { limit: 10, cursor: null })).items;
        expect(items.find((item) => item.messageId === clicked.messageId)).toMatchObject({ parentId: opened.messageId, rootId: sent.messageId });
      });
    });

    describe('inbound webhook sources', () => {
      it('keeps a source by project, finds it by its token hash only, and updates and removes it', async () => {
        const mapping = { event: { name: 'Form Submitted' }, email: '$.email', traits: { name: '$.name' } };
        const made = await store.hookSources.create(project.id, { id: 's1', name: 'Form', mapping, tokenHash: 'hash-1', tokenPrefix: 'hk_h_abcde' }, now);
        expect(made).toMatchObject({ id: 's1', name: 'Form', mapping, tokenPrefix: 'hk_h_abcde' });
        expect(made).not.toHaveProperty('tokenHash');
        expect(await store.hookSources.findByTokenHash('hash-1')).toMatchObject({ projectId: project.id, source: { id: 's1' } });
        expect(await store.hookSources.findByTokenHash('hash-2')).toBeNull();
        now += 1000;
        expect(await store.hookSources.update(project.id, 's1', { name: 'Renamed' }, now)).toMatchObject({ name: 'Renamed', mapping });
        expect(await store.hookSources.list(project.id)).toHaveLength(1);
        expect(await store.hookSources.update(project.id, 'nope', { name: 'x' }, now)).toBeNull();
        expect(await store.hookSources.remove(project.id, 's1')).toBe(true);
        expect(await store.hookSources.remove(project.id, 's1')).toBe(false);
        expect(await store.hookSources.findByTokenHash('hash-1')).toBeNull();
      });
    });

    describe('privacy', () => {
      it('erases a person and refuses their identifiers until the erasure is lifted', async () => {
        await ingest(event({ type: 'identify', anonymousId: 'gone-cookie', userId: 'gone', traits: { email: 'gone@example.com' } }));
        const person = await lookup({ userId: 'gone' });
        const report = await store.erasePerson(project.id, person!.id);
        expect(report).toMatchObject({ events: 1 });
        expect(await lookup({ userId: 'gone' })).toBeNull();
        expect(await ingest(event({ type: 'track', anonymousId: 'gone-cookie', event: 'Late' }))).toMatchObject([{ status: 'rejected', code: 'erased' }]);
        expect(await store.liftErasure(project.id, 'anonymous', 'gone-cookie')).toBe(true);
        expect(await ingest(event({ type: 'track', anonymousId: 'gone-cookie', event: 'Back' }))).toMatchObject([{ status: 'stored' }]);
      });
    });

    describe('messages and deliveries', () => {
      const record = (fields: Partial<MessageRecord> = {}): MessageRecord =>
        ({
          name: 'Welcome',
          kind: 'survey',
          status: 'live',
          priority: 0,
          content: { title: 'How was it?' },
          appearance: { position: 'bottom-right', size: 'medium' },
          conditions: { audience: {}, page: { rules: [] }, trigger: { type: 'pageLoad' }, frequency: { type: 'once' } },
          ...fields,
        }) as unknown as MessageRecord;

      it('lists live messages by priority and sees every change at once', async () => {
        const low = await store.messages.create(project.id, record({ name: 'low', priority: 1 }), now);
        const high = await store.messages.create(project.id, record({ name: 'high', priority: 9 }), now);
        expect((await store.messages.live(project.id)).map((m) => m.id)).toEqual([high.id, low.id]);
        await store.messages.replace(project.id, high.id, record({ name: 'high', priority: 9, status: 'paused' }), now);
        expect((await store.messages.live(project.id)).map((m) => m.id)).toEqual([low.id]);
        expect(await store.messages.remove(project.id, low.id)).toBe(true);
        expect(await store.messages.live(project.id)).toEqual([]);
      });

      it('counts interactions once per event, on the person they belong to after a merge', async () => {
        const survey = await store.messages.create(project.id, record(), now);
        const shown = event({ type: 'track', anonymousId: 'taker', event: MESSAGE_EVENTS.shown, properties: { messageId: survey.id, deliveryId: 'd-1' } });
        const answered = event({ type: 'track', anonymousId: 'taker', event: MESSAGE_EVENTS.answered, properties: { messageId: survey.id, deliveryId: 'd-1', value: 4 } });
        await ingest(shown, answered, answered);
        now += 1000;
        await ingest(event({ type: 'identify', anonymousId: 'taker', userId: 'taker-user' }));

        const range = { from: null, to: null };
        expect(await store.messages.results(project.id, survey.id, range)).toEqual({ shown: 1, clicked: 0, dismissed: 0, answered: 1, grades: [0, 0, 0, 1, 0] });
        const answers = await store.messages.answers(project.id, survey.id, range, { limit: 10, cursor: null });
        expect(answers.items).toMatchObject([{ deliveryId: 'd-1', value: 4, person: { userId: 'taker-user' } }]);
        const person = await lookup({ userId: 'taker-user' });
        expect((await store.messages.deliveryStats(project.id, person!.id)).get(survey.id)).toMatchObject({ shows: 1, answered: true, deliveries: 1 });
      });

      it('gives eligibility the person, suppression and event counts it asks for', async () => {
        await ingest(event({ type: 'identify', anonymousId: 'e-cookie', userId: 'eve', traits: { email: 'eve@example.com', plan: 'pro' } }));
        for (const offset of [-10 * DAY, -2 * DAY, -1 * DAY]) {
          await ingest(event({ type: 'track', userId: 'eve', event: 'Exported', timestamp: new Date(now + offset).toISOString() }));
        }
        const facts = await loadEligibilityFacts(store.messages, project.id, {
          userId: null,
          anonymousId: 'e-cookie',
          userVerified: false,
          eventRules: [{ event: 'Exported', since: 0 }, { event: 'Exported', since: now - 7 * DAY }, { event: 'Never', since: 0 }],
        });
        expect(facts.person).toMatchObject({ userId: 'eve', kind: 'user', traits: { plan: 'pro' } });
        expect(facts.eventCounts).toEqual([3, 2, 0]);
        expect(facts.suppressed).toBe(false);

        expect(await store.messages.addSuppressions(project.id, [{ type: 'email', value: 'eve@example.com' }], now)).toBe(1);
        expect(await store.messages.isSuppressed(project.id, { userIds: [], email: 'eve@example.com' })).toBe(true);
        expect(await store.messages.isSuppressed(project.id, { userIds: ['eve'], email: null })).toBe(false);
        // Asking creates nobody.
        expect(await loadEligibilityFacts(store.messages, project.id, { userId: 'stranger', anonymousId: 'x', userVerified: false, eventRules: [] })).toMatchObject({ person: null });
        expect(await lookup({ userId: 'stranger' })).toBeNull();
      });

      it('answers eligibility facts in one call exactly as the four reads do, however the person is reached', async () => {
        const survey = await store.messages.create(project.id, record(), now);
        // Vera: verified, with an earlier anonymous history merged in (an alias) that holds events and a delivery.
        await ingest(event({ type: 'track', anonymousId: 'v-old', event: 'Exported', timestamp: new Date(now - 20 * DAY).toISOString() }));
        await ingest(event({ type: 'track', anonymousId: 'v-old', event: MESSAGE_EVENTS.shown, properties: { messageId: survey.id, deliveryId: 'd-v' } }));
        await ingest(event({ type: 'identify', anonymousId: 'v-cookie', userId: 'vera', traits: { email: 'vera@example.com', plan: 'pro' } }, true));
        await ingest(event({ type: 'identify', anonymousId: 'v-old', userId: 'vera' }, true));
        for (const offset of [-3 * DAY, -1 * DAY]) await ingest(event({ type: 'track', userId: 'vera', event: 'Exported', timestamp: new Date(now + offset).toISOString() }, true));
        // Uma: not verified. Someone known only by a cookie, with events of their own.
        await ingest(event({ type: 'identify', anonymousId: 'u-cookie', userId: 'uma', traits: { email: 'uma@example.com' } }));
        await ingest(event({ type: 'track', anonymousId: 'anon-only', event: 'Exported' }), event({ type: 'track', anonymousId: 'anon-only', event: 'Searched' }));
        await store.messages.addSuppressions(project.id, [{ type: 'email', value: 'vera@example.com' }, { type: 'userId', value: 'ghost' }], now);

        const eventRules = [{ event: 'Exported', since: 0 }, { event: 'Exported', since: now - 7 * DAY }, { event: 'Never', since: 0 }, { event: 'Searched', since: 0 }];
        let compared = 0;
        for (const userId of [null, 'vera', 'uma', 'ghost']) {
          for (const anonymousId of [null, 'v-cookie', 'v-old', 'u-cookie', 'anon-only', 'nobody']) {
            for (const userVerified of userId ? [false, true] : [false]) {
              for (const rules of [eventRules, []]) {
                const query = { userId, anonymousId, userVerified, eventRules: rules };
                expect(await store.messages.eligibilityFacts(project.id, query), JSON.stringify(query)).toEqual(await readFactsOneByOne(store.messages, project.id, query));
                compared++;
              }
            }
          }
        }
        expect(compared).toBe(2 * (6 + 3 * 12));

        // The reference itself answers what the rules say (so the comparison above is not of two empty answers).
        const vera = await lookup({ userId: 'vera' });
        const proven = await loadEligibilityFacts(store.messages, project.id, { userId: 'vera', anonymousId: null, userVerified: true, eventRules });
        expect(proven).toMatchObject({ person: { id: vera!.id, email: 'vera@example.com' }, userIdIgnored: false, suppressed: true, eventCounts: [3, 2, 0, 0] });
        expect(proven.deliveries.get(survey.id)).toMatchObject({ shows: 1, deliveries: 1, answered: false });
        const cookieOnly = await loadEligibilityFacts(store.messages, project.id, { userId: 'vera', anonymousId: 'v-cookie', userVerified: false, eventRules });
        expect(cookieOnly).toMatchObject({ person: { id: vera!.id, userId: null, email: null, traits: {} }, userIdIgnored: true, suppressed: true, eventCounts: [3, 2, 0, 0] });
        expect(await loadEligibilityFacts(store.messages, project.id, { userId: 'vera', anonymousId: 'nobody', userVerified: false, eventRules })).toMatchObject({ person: null, userIdIgnored: true, suppressed: false, eventCounts: [0, 0, 0, 0] });
        expect(await loadEligibilityFacts(store.messages, project.id, { userId: 'ghost', anonymousId: 'anon-only', userVerified: false, eventRules })).toMatchObject({ person: { kind: 'visitor' }, suppressed: true, eventCounts: [1, 1, 0, 1] });
        expect(await loadEligibilityFacts(store.messages, project.id, { userId: 'uma', anonymousId: 'anon-only', userVerified: false, eventRules })).toMatchObject({ person: { userId: 'uma', email: 'uma@example.com' }, suppressed: false, eventCounts: [0, 0, 0, 0] });
      });
    });

    describe('projects', () => {
      it('finds the project by its keys and honours a rotated key only for its grace period', async () => {
        expect((await store.findProjectByWriteKey(project.writeKey))!.id).toBe(project.id);
        const rotated = await store.rotateKey(project.id, 'write', 60_000);
        expect(rotated.writeKey).not.toBe(project.writeKey);
        expect((await store.findProjectByWriteKey(project.writeKey))?.id).toBe(project.id);
        now += 61_000;
        expect(await store.findProjectByWriteKey(project.writeKey)).toBeNull();
        expect((await store.findProjectByWriteKey(rotated.writeKey))!.id).toBe(project.id);
      });
    });

    describe('email templates', () => {
      it('keeps templates per project by name, changes only the fields given and removes them', async () => {
        const b = await store.emailTemplates.create(project.id, { name: 'b welcome', kind: 'marketing', subject: 'Hi', text: null, html: '<p>Hi</p>' }, now);
        const a = await store.emailTemplates.create(project.id, { name: 'A receipt', kind: 'transactional', subject: 'Receipt', text: 'Thanks', html: null }, now);
        expect((await store.emailTemplates.list(project.id)).map((t) => t.id)).toEqual([a.id, b.id]);
        expect(await store.emailTemplates.list('another-project')).toEqual([]);
        expect(await store.emailTemplates.get('another-project', a.id)).toBeNull();
        now += 1000;
        const changed = await store.emailTemplates.update(project.id, b.id, { text: 'Hi', html: null }, now);
        expect(changed).toMatchObject({ name: 'b welcome', kind: 'marketing', subject: 'Hi', text: 'Hi', html: null, updatedAt: new Date(now).toISOString(), createdAt: new Date(T0).toISOString() });
        expect(await store.emailTemplates.update(project.id, 'missing', { name: 'x' }, now)).toBeNull();
        expect(await store.emailTemplates.remove(project.id, a.id)).toBe(true);
        expect(await store.emailTemplates.remove(project.id, a.id)).toBe(false);
        expect(await store.emailTemplates.get(project.id, a.id)).toBeNull();
      });
    });
    defineTeamContract(() => ({ store, project }));
    defineSuppressionRulesContract(() => ({ store, project }));
    defineListContract(() => ({ store, project }));
    defineCompanyContract(() => ({ store, project }));
    defineAutomationContract(() => ({ store, project }));
    defineEmailContract(() => ({ store, project }));
    defineAudienceContract(() => ({ store, project, now: () => now, setNow: (ms) => void (now = ms) }));
  });
}
