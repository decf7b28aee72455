import type {
  AudienceConditions,
  ContactKind,
  FrequencyConditions,
  MessageTrigger,
  PageRule,
  ValueCondition,
} from '@hark/protocol';
import { matchValue } from '@hark/protocol';
import { compileGlob, compileRegex } from './page-match.js';
import { readTrait, type TemplatePerson } from './template.js';

/**
 * Pure evaluation of display conditions (DESIGN §5). Nothing here touches the store: the
 * eligibility module gathers the facts once per request and asks these functions, which answer
 * with why a message is left out (a sentence for debug mode) or null when it passes.
 */

export const DAY_MS = 86_400_000;

/** The person as the conditions see them. A visitor the collector never saw has no traits. */
export interface PersonFacts extends TemplatePerson {
  kind: ContactKind;
}

/** What the person already did with one message, over every delivery (merged people included). */
export interface DeliveryStats {
  /** Times shown (Message Shown events; an interaction without one counts as one showing). */
  shows: number;
  lastShownAt: number | null;
  answered: boolean;
  /** Delivery rows for this message and person; names the next occasion's delivery id. */
  deliveries: number;
}

export const NO_DELIVERIES: DeliveryStats = { shows: 0, lastShownAt: null, answered: false, deliveries: 0 };

// ---- values (traits and event properties): compared by the protocol's matchValue, which the
// message UI uses too, so both sides apply one set of rules --------------------------------------

const describeCondition = (subject: string, condition: ValueCondition): string =>
  condition.op === 'exists' ? `${subject} exists` : `${subject} ${condition.op} ${JSON.stringify(condition.value)}`;

// ---- audience ----------------------------------------------------------------------------------

/** An events-performed rule, resolved against the clock: count since `since` (0 = ever). */
export interface EventRule {
  event: string;
  since: number;
}

/**
 * `countOf(i)` answers how many times the person did the i-th events rule of this audience in
 * its window, counted by the store in one query for all messages.
 */
export function audienceFailure(audience: AudienceConditions, person: PersonFacts, countOf: (index: number) => number): string | null {
  if (audience.kinds?.length && !audience.kinds.includes(person.kind)) {
    return `the person is a ${person.kind}; the audience is ${audience.kinds.join(' or ')}`;
  }
  for (const condition of audience.traits ?? []) {
    if (!matchValue(readTrait(person, condition.trait), condition)) {
      return `trait condition not met: ${describeCondition(condition.trait, condition)}`;
    }
  }
  const events = audience.events ?? [];
  for (let i = 0; i < events.length; i++) {
    const rule = events[i]!;
    const count = countOf(i);
    if (count < rule.atLeast) {
      const window = rule.withinDays === undefined ? '' : ` in the last ${rule.withinDays} days`;
      return `"${rule.event}" done ${count} times${window}; the audience needs at least ${rule.atLeast}`;
    }
  }
  return null;
}

// ---- page --------------------------------------------------------------------------------------

/** The parts of the page URL the rules look at. */
export interface PageUrl {
  href: string;
  /** Origin and path, no query string or hash. */
  base: string;
  /** Origin, path and query string, no hash. */
  baseWithSearch: string;
  path: string;
  pathWithSearch: string;
}

export function parsePageUrl(url: string): PageUrl {
  try {
    const parsed = new URL(url);
    return {
      href: parsed.href,
      base: parsed.origin + parsed.pathname,
      baseWithSearch: parsed.origin + parsed.pathname + parsed.search,
      path: parsed.pathname,
      pathWithSearch: parsed.pathname + parsed.search,
    };
  } catch {
    // A bare path ("/pricing?x=1") still works with path rules.
    const [withSearch = ''] = url.split('#');
    const [path = ''] = withSearch.split('?');
    return { href: url, base: path, baseWithSearch: withSearch, path, pathWithSearch: withSearch };
  }
}

const stripSlash = (value: string): string => (value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value);

export type UrlMatcher = (url: PageUrl) => boolean;

/**
 * Turns one rule into a matcher, once per message, not per request. Every matcher takes time
 * linear in the URL (page-match.ts): the URL comes from a public request, the rule does not
 * get to choose how long it runs.
 */
export function compilePageRule(rule: PageRule): UrlMatcher {
  const { match, value } = rule;
  if (match === 'contains') return (url) => url.href.includes(value);
  if (match === 'regex') {
    const regex = compileRegex(value);
    // A pattern saved before RE2 ran these rules may use a feature it refuses. Such a rule
    // cannot be answered, so it errs on the side of not showing: as an include rule it matches
    // nothing, as an exclude rule it excludes every page.
    if (!regex.ok) return () => rule.mode === 'exclude';
    return (url) => regex.test(url.href);
  }
  const onPath = value.startsWith('/');
  const withSearch = value.includes('?');
  const target = (url: PageUrl): string =>
    onPath ? (withSearch ? url.pathWithSearch : url.path) : withSearch ? url.baseWithSearch : url.base;
  const normalized = onPath ? value : normalizeAbsolute(value);
  if (match === 'equals') {
    const expected = stripSlash(normalized);
    return (url) => stripSlash(target(url)) === expected;
  }
  if (match === 'starts_with') return (url) => target(url).startsWith(normalized);
  const glob = compileGlob(normalized);
  return (url) => glob(target(url));
}

/** `HTTPS://Example.com/a` and `https://example.com/a` are one page. */
function normalizeAbsolute(value: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(value);
  return scheme ? scheme[1]!.toLowerCase() + scheme[2]!.toLowerCase() + value.slice(scheme[0].length) : value;
}

export interface CompiledPage {
  include: { rule: PageRule; test: UrlMatcher }[];
  exclude: { rule: PageRule; test: UrlMatcher }[];
}

export function compilePage(rules: PageRule[]): CompiledPage {
  const compiled = rules.map((rule) => ({ rule, test: compilePageRule(rule) }));
  return { include: compiled.filter((r) => r.rule.mode === 'include'), exclude: compiled.filter((r) => r.rule.mode === 'exclude') };
}

export function pageFailure(page: CompiledPage, url: PageUrl | null): string | null {
  if (page.include.length === 0 && page.exclude.length === 0) return null;
  if (!url) return 'the message has page rules and the request gave no url';
  const excluded = page.exclude.find((r) => r.test(url));
  if (excluded) return `the url is excluded by rule ${excluded.rule.match} "${excluded.rule.value}"`;
  if (page.include.length && !page.include.some((r) => r.test(url))) return 'the url matches none of the include rules';
  return null;
}

// ---- schedule, trigger, frequency ----------------------------------------------------------------

export function scheduleFailure(startsAt: number | null, endsAt: number | null, now: number): string | null {
  if (startsAt !== null && now < startsAt) return `starts at ${new Date(startsAt).toISOString()}`;
  if (endsAt !== null && now >= endsAt) return `ended at ${new Date(endsAt).toISOString()}`;
  return null;
}

/**
 * Without `event`, every trigger passes (the App waits for the delay or the event itself).
 * With `event`, the App is asking right after that track call: only messages it triggers.
 */
export function triggerFailure(trigger: MessageTrigger, event: string | null): string | null {
  if (event === null) return null;
  if (trigger.type !== 'event') return `asked for messages triggered by "${event}"; this one shows on ${trigger.type === 'delay' ? 'a delay' : 'page view'}`;
  if (trigger.event !== event) return `asked for messages triggered by "${event}"; this one waits for "${trigger.event}"`;
  return null;
}

// Module-level rather than closures inside frequencyFailure: it runs for every live message on
// every eligibility request, and each closure made per call is garbage (and, under tsx, a
// naming helper call) on the hottest path.
function tooSoon(stats: DeliveryStats, days: number, now: number): string | null {
  if (stats.lastShownAt === null || now - stats.lastShownAt >= days * DAY_MS) return null;
  return `shown ${new Date(stats.lastShownAt).toISOString()}; shows again after ${days} days`;
}

function capped(stats: DeliveryStats, times: number): string | null {
  return stats.shows >= times ? `already shown ${stats.shows} time${stats.shows === 1 ? '' : 's'}; at most ${times}` : null;
}

export function frequencyFailure(frequency: FrequencyConditions, stats: DeliveryStats, now: number): string | null {
  switch (frequency.type) {
    case 'once':
      return stats.shows > 0 ? 'already shown once' : null;
    case 'until_answered':
      if (stats.answered) return 'already answered';
      return (
        (frequency.everyDays !== undefined ? tooSoon(stats, frequency.everyDays, now) : null) ??
        (frequency.maxTimes !== undefined ? capped(stats, frequency.maxTimes) : null)
      );
    case 'every_n_days':
      return tooSoon(stats, frequency.days, now) ?? (frequency.maxTimes !== undefined ? capped(stats, frequency.maxTimes) : null);
    case 'at_most':
      return capped(stats, frequency.times);
  }
}

// ---- time zones --------------------------------------------------------------------------------

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
function zoneOffset(timeZone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * `2026-12-01T09:00` in `Europe/Paris` → the UTC instant. A time that carries its own offset
 * (`…Z`, `…+02:00`) is taken as is. Returns null for text that is neither.
 * A local time skipped by a daylight-saving jump resolves to the instant just after the jump.
 */
export function localTimeToUtc(text: string, timeZone: string): number | null {
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : null;
  }
  const m = LOCAL_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second = '0'] = m.slice(1).map((part) => part ?? '0') as string[];
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-30 over to March; refuse it instead of guessing.
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return null;
  }
  const before = zoneOffset(timeZone, wall);
  const guess = wall - before;
  const after = zoneOffset(timeZone, guess);
  if (after === before) return guess;
  const retry = wall - after;
  if (zoneOffset(timeZone, retry) === after) return retry;
  // No instant shows this wall time (the clocks jumped over it): move forward by the gap.
  return wall - Math.min(before, after);
}
