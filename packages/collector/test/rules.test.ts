import { describe, expect, it } from 'vitest';
import { DAY_MS, dayOf, emptyFacts, evaluateRule, factsNeeded, nextChangeAt, touches, validateRule, type PersonFacts, type Rule } from '../src/rules/index.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const TODAY = dayOf(NOW);
const days = (entries: [name: string, daysAgo: number, count: number][]): PersonFacts['eventDays'] => {
  const map = new Map<string, Map<number, number>>();
  for (const [name, ago, count] of entries) {
    const byDay = map.get(name) ?? new Map<number, number>();
    byDay.set(TODAY - ago, (byDay.get(TODAY - ago) ?? 0) + count);
    map.set(name, byDay);
  }
  return map;
};
const yes = (rule: Rule, facts: PersonFacts, now = NOW) => expect(evaluateRule(rule, facts, now)).toBe(true);
const no = (rule: Rule, facts: PersonFacts, now = NOW) => expect(evaluateRule(rule, facts, now)).toBe(false);

describe('rule leaves', () => {
  it('kind', () => {
    yes({ type: 'kind', value: ['lead', 'user'] }, emptyFacts({ kind: 'user' }));
    no({ type: 'kind', value: ['lead', 'user'] }, emptyFacts({ kind: 'visitor' }));
  });

  it('trait text operators', () => {
    const p = emptyFacts({ traits: { plan: 'Pro', tags: ['beta', 'vip'], company: { name: 'Acme' } }, email: 'ada@example.com' });
    yes({ type: 'trait', trait: 'plan', op: 'equals', value: 'Pro' }, p);
    no({ type: 'trait', trait: 'plan', op: 'equals', value: 'free' }, p);
    yes({ type: 'trait', trait: 'plan', op: 'not_equals', value: 'free' }, p);
    yes({ type: 'trait', trait: 'missing', op: 'not_equals', value: 'free' }, p);
    yes({ type: 'trait', trait: 'plan', op: 'contains', value: 'r' }, p);
    yes({ type: 'trait', trait: 'tags', op: 'contains', value: 'vip' }, p);
    yes({ type: 'trait', trait: 'plan', op: 'starts_with', value: 'pr' }, p);
    no({ type: 'trait', trait: 'plan', op: 'starts_with', value: 'ro' }, p);
    yes({ type: 'trait', trait: 'company.name', op: 'equals', value: 'Acme' }, p);
    yes({ type: 'trait', trait: 'email', op: 'contains', value: '@example.com' }, p);
    yes({ type: 'trait', trait: 'plan', op: 'exists' }, p);
    no({ type: 'trait', trait: 'seats', op: 'exists' }, p);
    yes({ type: 'trait', trait: 'seats', op: 'not_exists' }, p);
  });

  it('trait numbers and ISO dates', () => {
    const p = emptyFacts({ traits: { seats: 10, score: '7.5', renewsAt: '2026-12-01', signedUpAt: '2026-11-18T09:00:00Z' } });
    yes({ type: 'trait', trait: 'seats', op: 'gt', value: 9 }, p);
    no({ type: 'trait', trait: 'seats', op: 'gt', value: 10 }, p);
    yes({ type: 'trait', trait: 'seats', op: 'gte', value: 10 }, p);
    yes({ type: 'trait', trait: 'score', op: 'lt', value: 8 }, p);
    yes({ type: 'trait', trait: 'seats', op: 'lte', value: 10 }, p);
    yes({ type: 'trait', trait: 'renewsAt', op: 'gt', value: '2026-11-30' }, p);
    no({ type: 'trait', trait: 'renewsAt', op: 'lt', value: '2026-11-30T23:59:59Z' }, p);
    yes({ type: 'trait', trait: 'signedUpAt', op: 'within_last_days', value: 7 }, p);
    no({ type: 'trait', trait: 'signedUpAt', op: 'within_last_days', value: 2 }, p);
    no({ type: 'trait', trait: 'renewsAt', op: 'within_last_days', value: 30 }, p); // in the future
  });

  it('company trait: any of the person\'s companies', () => {
    const p = emptyFacts({ companies: [{ plan: 'free' }, { plan: 'enterprise', employees: 500 }] });
    yes({ type: 'company_trait', trait: 'plan', op: 'equals', value: 'enterprise' }, p);
    yes({ type: 'company_trait', trait: 'employees', op: 'gte', value: 100 }, p);
    no({ type: 'company_trait', trait: 'plan', op: 'equals', value: 'team' }, p);
    no({ type: 'company_trait', trait: 'plan', op: 'exists' }, emptyFacts());
  });

  it('list membership', () => {
    yes({ type: 'list', list: 'l1' }, emptyFacts({ lists: new Set(['l1']) }));
    no({ type: 'list', list: 'l2' }, emptyFacts({ lists: new Set(['l1']) }));
  });

  it('event counts: at least, at most, exactly; last T days; between dates', () => {
    const p = emptyFacts({ eventDays: days([['Bought', 0, 2], ['Bought', 3, 1], ['Bought', 20, 4]]) });
    yes({ type: 'event', event: 'Bought' }, p);
    no({ type: 'event', event: 'Refunded' }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'exactly', value: 7 } }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'at_least', value: 3 }, window: { lastDays: 7 } }, p);
    no({ type: 'event', event: 'Bought', count: { op: 'at_least', value: 4 }, window: { lastDays: 7 } }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'at_most', value: 2 }, window: { lastDays: 1 } }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'exactly', value: 4 }, window: { from: '2026-11-01', to: '2026-11-05' } }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'exactly', value: 0 }, window: { from: '2026-10-01', to: '2026-10-31' } }, p);
  });

  it('event property conditions read occurrences, not counts', () => {
    const p = emptyFacts({
      eventOccurrences: new Map([
        ['Bought', [
          { timestamp: NOW - 1000, properties: { plan: 'pro', amount: 50 } },
          { timestamp: NOW - 2 * DAY_MS, properties: { plan: 'free', amount: 0 } },
          { timestamp: NOW - 40 * DAY_MS, properties: { plan: 'pro', amount: 90 } },
        ]],
      ]),
    });
    yes({ type: 'event', event: 'Bought', count: { op: 'exactly', value: 2 }, where: [{ property: 'plan', op: 'equals', value: 'pro' }] }, p);
    yes({ type: 'event', event: 'Bought', count: { op: 'exactly', value: 1 }, window: { lastDays: 30 }, where: [{ property: 'amount', op: 'gt', value: 10 }] }, p);
    yes({ type: 'no_event', event: 'Bought', window: { lastDays: 30 }, where: [{ property: 'plan', op: 'equals', value: 'team' }] }, p);
  });

  it('did not do an event in the last T days', () => {
    const p = emptyFacts({ eventDays: days([['Logged In', 10, 1]]) });
    yes({ type: 'no_event', event: 'Logged In', window: { lastDays: 7 } }, p);
    no({ type: 'no_event', event: 'Logged In', window: { lastDays: 14 } }, p);
    no({ type: 'no_event', event: 'Logged In' }, p);
  });

  it('first and last seen: before, after, within', () => {
    const p = emptyFacts({ firstSeenAt: Date.parse('2026-01-10T00:00:00Z'), lastSeenAt: NOW - 2 * DAY_MS });
    yes({ type: 'first_seen', op: 'before', value: '2026-02-01' }, p);
    no({ type: 'first_seen', op: 'after', value: '2026-02-01' }, p);
    yes({ type: 'last_seen', op: 'within_last_days', value: 3 }, p);
    no({ type: 'last_seen', op: 'within_last_days', value: 1 }, p);
    yes({ type: 'last_seen', op: 'not_within_last_days', value: 1 }, p);
    yes({ type: 'last_seen', op: 'after', value: '2026-11-01T00:00:00Z' }, p);
  });

  it('geography, without regard to case', () => {
    const p = emptyFacts({ geo: { country: 'FR', region: 'Île-de-France', city: 'Paris', continent: 'EU' } });
    yes({ type: 'geo', field: 'country', op: 'equals', value: 'fr' }, p);
    yes({ type: 'geo', field: 'city', op: 'in', value: ['Lyon', 'paris'] }, p);
    no({ type: 'geo', field: 'continent', op: 'equals', value: 'NA' }, p);
    yes({ type: 'geo', field: 'continent', op: 'not_equals', value: 'NA' }, p);
    yes({ type: 'geo', field: 'region', op: 'exists' }, p);
    yes({ type: 'geo', field: 'city', op: 'not_exists' }, emptyFacts());
    no({ type: 'geo', field: 'country', op: 'equals', value: 'FR' }, emptyFacts());
  });

  it('message interactions and survey grades', () => {
    const p = emptyFacts({ messages: new Map([['m1', { shown: true, dismissed: true, answered: false, grade: null }], ['m2', { shown: true, dismissed: false, answered: true, grade: 2 }]]) });
    yes({ type: 'message', message: 'm1', op: 'shown' }, p);
    yes({ type: 'message', message: 'm1', op: 'dismissed' }, p);
    no({ type: 'message', message: 'm1', op: 'answered' }, p);
    yes({ type: 'message', message: 'm2', op: 'answered' }, p);
    yes({ type: 'message', message: 'm2', op: 'grade_lte', value: 3 }, p);
    no({ type: 'message', message: 'm2', op: 'grade_gte', value: 3 }, p);
    no({ type: 'message', message: 'm3', op: 'shown' }, p);
  });

  it('opted out', () => {
    yes({ type: 'opted_out' }, emptyFacts({ optedOut: true }));
    no({ type: 'opted_out' }, emptyFacts());
  });
});

describe('rule trees', () => {
  const facts = emptyFacts({ kind: 'user', traits: { plan: 'pro' }, lists: new Set(['vip']), geo: { country: 'DE', region: null, city: null, continent: 'EU' } });
  it('nest AND, OR and NOT four and more levels deep', () => {
    const tree: Rule = {
      and: [
        { type: 'kind', value: ['user'] },
        {
          or: [
            { type: 'list', list: 'other' },
            { and: [{ not: { type: 'trait', trait: 'plan', op: 'equals', value: 'free' } }, { or: [{ type: 'geo', field: 'country', op: 'equals', value: 'FR' }, { not: { not: { type: 'list', list: 'vip' } } }] }] },
          ],
        },
      ],
    };
    yes(tree, facts);
    no(tree, { ...facts, lists: new Set() });
    no({ not: tree }, facts);
  });

  it('let windows move with now', () => {
    const p = emptyFacts({ eventDays: days([['Bought', 0, 1]]) });
    const rule: Rule = { type: 'event', event: 'Bought', window: { lastDays: 7 } };
    yes(rule, p);
    yes(rule, p, NOW + 6 * DAY_MS);
    no(rule, p, NOW + 7 * DAY_MS);
    const changes = nextChangeAt(rule, p, NOW)!;
    expect(new Date(changes).toISOString()).toBe('2026-11-28T00:00:00.000Z');
    expect(evaluateRule(rule, p, changes - 1)).toBe(true);
    expect(evaluateRule(rule, p, changes)).toBe(false);
  });

  it('say when an answer can change with time alone, and never for a fixed one', () => {
    const p = emptyFacts({ lastSeenAt: NOW - DAY_MS, traits: { trialEndsAt: '2026-11-25T00:00:00Z' } });
    expect(nextChangeAt({ type: 'last_seen', op: 'within_last_days', value: 3 }, p, NOW)).toBe(NOW - DAY_MS + 3 * DAY_MS + 1);
    expect(nextChangeAt({ type: 'trait', trait: 'trialEndsAt', op: 'within_last_days', value: 2 }, p, NOW)).toBe(Date.parse('2026-11-25T00:00:00Z'));
    expect(nextChangeAt({ type: 'kind', value: ['user'] }, p, NOW)).toBeNull();
    expect(nextChangeAt({ type: 'no_event', event: 'X', window: { lastDays: 7 } }, p, NOW)).toBeNull();
  });
});

describe('facts a tree needs', () => {
  it('names events, lists and messages, and whether time alone matters', () => {
    const needed = factsNeeded({
      or: [
        { type: 'event', event: 'A', window: { lastDays: 3 } },
        { type: 'event', event: 'B', where: [{ property: 'x', op: 'exists' }] },
        { not: { type: 'list', list: 'l1' } },
        { type: 'message', message: 'm1', op: 'shown' },
      ],
    });
    expect([...needed.events]).toEqual(['A']);
    expect([...needed.eventOccurrences]).toEqual(['B']);
    expect([...needed.lists]).toEqual(['l1']);
    expect([...needed.messages]).toEqual(['m1']);
    expect(needed.timed).toBe(true);
    expect(needed.traits).toBe(false);
    expect(touches(needed, { events: ['A'] })).toBe(true);
    expect(touches(needed, { events: ['C'] })).toBe(false);
    expect(touches(needed, { traits: true })).toBe(false);
    expect(touches(needed, { lists: ['l1'] })).toBe(true);
  });
});

describe('rule validation', () => {
  it('reports every problem at once, keyed by path', () => {
    const result = validateRule({
      and: [
        { type: 'kind', value: ['robot'] },
        { type: 'trait', trait: 'seats', op: 'gt', value: 'many' },
        { or: [{ type: 'event', event: 'A', count: { op: 'at_least', value: -1 }, window: { lastDays: 0 } }, { type: 'geo', field: 'planet', op: 'equals', value: 'Mars' }] },
        { not: { type: 'nope' } },
        { type: 'trait', trait: 'plan', op: 'exists', value: 'x', extra: 1 },
        { type: 'first_seen', op: 'before', value: 'yesterday' },
        { type: 'message', message: 'm', op: 'grade_gte', value: 9 },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields).toEqual({
      'rules.and.0.value.0': 'must be one of visitor, lead, user',
      'rules.and.1.value': 'must be a number or an ISO date for gt',
      'rules.and.2.or.0.count.value': 'must be a whole number from 0 to 1000000',
      'rules.and.2.or.0.window.lastDays': 'must be a whole number of days from 1 to 3650',
      'rules.and.2.or.1.field': 'must be one of country, region, city, continent',
      'rules.and.3.not.type': expect.stringContaining('must be a group'),
      'rules.and.4.value': 'must be left out for exists',
      'rules.and.4.extra': 'is not a known field',
      'rules.and.5.value': 'must be an ISO date for before',
      'rules.and.6.value': 'must be a grade from 1 to 5',
    });
  });

  it('bounds depth and size, so a hostile tree costs little', () => {
    let deep: unknown = { type: 'opted_out' };
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    const tooDeep = validateRule(deep);
    expect(tooDeep.ok).toBe(false);
    const wide = validateRule({ or: Array.from({ length: 40 }, () => ({ and: Array.from({ length: 40 }, () => ({ type: 'opted_out' })) })) });
    expect(wide.ok).toBe(false);
    if (!wide.ok) expect(wide.fields.rules).toMatch(/at most 200/);
    expect(validateRule({ and: [] }).ok).toBe(false);
    expect(validateRule({ and: [{ type: 'opted_out' }], or: [] }).ok).toBe(false);
    expect(validateRule('everyone').ok).toBe(false);
  });

  it('accepts a valid tree as is', () => {
    const tree = { and: [{ type: 'kind', value: ['user'] }, { type: 'event', event: 'A', window: { from: '2026-11-01', to: '2026-11-30' } }] };
    expect(validateRule(tree)).toEqual({ ok: true, rule: tree });
  });
});
