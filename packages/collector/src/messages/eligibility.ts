import type { EligibleMessage, ExcludedMessage, ExclusionStage, Message, MessagesResponse } from '@hark/protocol';
import { emptyFacts, evaluateRule, factsNeeded, mergeNeeded, noFacts, type FactsNeeded, type PersonFacts as RuleFacts, type Rule } from '../rules/index.js';
import type { MessageStore } from '../store/message-store.js';
import type { SegmentStore, SuppressionRule, SuppressionRuleStore } from '../store/segment-store.js';
import {
  audienceFailure,
  compilePage,
  DAY_MS,
  frequencyFailure,
  NO_DELIVERIES,
  pageFailure,
  parsePageUrl,
  scheduleFailure,
  triggerFailure,
  type CompiledPage,
  type EventRule,
  type PersonFacts,
} from './conditions.js';
import { deliveryIdFor } from './delivery-id.js';
import { parseInstant } from '../time.js';
import { loadEligibilityFacts } from './eligibility-facts.js';
import { fillTemplate } from './template.js';

/**
 * Which live messages one person may see now (DESIGN §5). The order of the checks is the order
 * debug mode reports: audience → suppression → schedule → page → trigger → frequency.
 *
 * Cost: the live list and everything derived from it (compiled regexes, UTC instants, the list
 * of events rules) are cached per project until a message changes; per request the store reads
 * the person, suppression, event counts and deliveries (`eligibilityFacts`: four indexed reads on
 * SQLite, one statement on PostgreSQL), never one read per message.
 */

export interface EligibilityQuery {
  userId: string | null;
  anonymousId: string | null;
  /** The request carried a valid userHash for `userId`. */
  userVerified: boolean;
  url: string | null;
  /** Set when the App asks right after this track call: only messages it triggers. */
  event: string | null;
  debug: boolean;
}

interface Compiled {
  message: Message;
  page: CompiledPage;
  startsAt: number | null;
  endsAt: number | null;
  /** Where this message's events rules sit in the project-wide list. */
  ruleSlots: number[];
  /** `audience.segment` and `audience.rules` (issue 11). */
  segment: string | null;
  rules: Rule | null;
  fromAutomation: boolean;
}

interface CompiledProject {
  messages: Compiled[];
  /** Distinct (event, withinDays) pairs across all live audiences. */
  rules: { event: string; withinDays: number | undefined }[];
  /** Distinct event names live messages are triggered by: the App asks again after these. */
  triggerEvents: string[];
  /** Segments live audiences name, and the facts their rule trees read (loaded once per request). */
  segmentIds: string[];
  /** Messages only automations open (audience.fromAutomation). */
  grantIds: string[];
  needed: FactsNeeded | null;
}

/** The audience stores, when the caller has them: segments (kept membership) and suppression rules. */
export interface AudienceStores {
  segments: SegmentStore;
  suppressionRules: SuppressionRuleStore;
  /** When automations granted these messages to the person (message id → instant); for `audience.fromAutomation`. */
  grants?: (projectId: string, personId: string, messageIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;
}

const neededByRules = new WeakMap<readonly SuppressionRule[], FactsNeeded>();
function suppressionNeeds(rules: readonly SuppressionRule[]): FactsNeeded {
  let needed = neededByRules.get(rules);
  if (!needed) {
    needed = noFacts();
    for (const rule of rules) factsNeeded(rule.rules, needed);
    neededByRules.set(rules, needed);
  }
  return needed;
}

const compiledByList = new WeakMap<readonly Message[], CompiledProject>();

function compile(live: readonly Message[]): CompiledProject {
  let compiled = compiledByList.get(live);
  if (compiled) return compiled;
  const rules: CompiledProject['rules'] = [];
  const slotOf = (event: string, withinDays: number | undefined): number => {
    let slot = rules.findIndex((rule) => rule.event === event && rule.withinDays === withinDays);
    if (slot < 0) slot = rules.push({ event, withinDays }) - 1;
    return slot;
  };
  compiled = {
    messages: live.map((message) => {
      const schedule = message.conditions.schedule;
      return {
        message,
        page: compilePage(message.conditions.page.rules),
        startsAt: parseInstant(schedule?.startsAt),
        endsAt: parseInstant(schedule?.endsAt),
        ruleSlots: (message.conditions.audience.events ?? []).map((rule) => slotOf(rule.event, rule.withinDays)),
        segment: message.conditions.audience.segment ?? null,
        rules: (message.conditions.audience.rules as Rule | undefined) ?? null,
        fromAutomation: message.conditions.audience.fromAutomation === true,
      };
    }),
    rules,
    triggerEvents: [...new Set(live.flatMap(({ conditions: { trigger } }) => (trigger.type === 'event' ? [trigger.event] : [])))],
    segmentIds: [],
    grantIds: live.filter((message) => message.conditions.audience.fromAutomation === true).map((message) => message.id),
    needed: null,
  };
  compiled.segmentIds = [...new Set(compiled.messages.flatMap((m) => (m.segment ? [m.segment] : [])))];
  for (const m of compiled.messages) if (m.rules) compiled.needed = factsNeeded(m.rules, compiled.needed ?? noFacts());
  compiledByList.set(live, compiled);
  return compiled;
}

export async function eligibleMessages(
  store: MessageStore,
  projectId: string,
  query: EligibilityQuery,
  now: number,
  audiences?: AudienceStores,
): Promise<MessagesResponse> {
  const live = await store.live(projectId);
  const { messages, rules, triggerEvents, segmentIds, grantIds, needed } = compile(live);
  if (messages.length === 0) return query.debug ? { messages: [], triggerEvents, debug: { personId: null, excluded: [] } } : { messages: [], triggerEvents };

  const eventRules: EventRule[] = rules.map((rule) => ({ event: rule.event, since: rule.withinDays === undefined ? 0 : now - rule.withinDays * DAY_MS }));
  const facts = await loadEligibilityFacts(store, projectId, { userId: query.userId, anonymousId: query.anonymousId, userVerified: query.userVerified, eventRules });
  const userId = facts.userIdIgnored ? null : query.userId;

  // Someone never seen is a visitor with no history; a user id means a user even before the
  // identify call that says so has been stored.
  const known = facts.person;
  const person: PersonFacts = {
    kind: userId ? 'user' : (known?.kind ?? 'visitor'),
    traits: known?.traits ?? {},
    email: known?.email ?? null,
    userId: known?.userId ?? userId,
  };
  const personKey = known?.id ?? (query.anonymousId ? `anon:${query.anonymousId}` : `user:${query.userId}`);
  const url = query.url ? parsePageUrl(query.url) : null;

  // Audiences (issue 11): kept segment memberships are read, not recomputed; trees in message
  // audiences and suppression rules are evaluated on facts loaded once, for what they read.
  const suppressionRules = audiences ? await audiences.suppressionRules.live(projectId) : [];
  const memberOf = audiences && known && segmentIds.length ? await audiences.segments.memberOf(projectId, known.id, segmentIds) : new Set<string>();
  const grants = audiences?.grants && known && grantIds.length ? await audiences.grants(projectId, known.id, grantIds) : new Map<string, number>();
  let ruleFacts: RuleFacts | null = null;
  if (audiences && (needed || suppressionRules.length)) {
    const all = noFacts();
    if (needed) mergeNeeded(all, needed);
    mergeNeeded(all, suppressionNeeds(suppressionRules));
    const loaded = known ? await audiences.segments.facts(projectId, known.id, all) : null;
    ruleFacts = loaded ? { ...loaded, kind: person.kind } : emptyFacts({ kind: person.kind, userId: person.userId });
  }
  const suppressedBy = ruleFacts ? suppressionRules.find((rule) => evaluateRule(rule.rules, ruleFacts!, now)) : undefined;

  const eligible: EligibleMessage[] = [];
  const excluded: ExcludedMessage[] = [];
  for (const item of messages) {
    const { message } = item;
    const stats = facts.deliveries.get(message.id) ?? NO_DELIVERIES;
    const conditions = message.conditions;
    // In the order debug mode reports; each check runs only if the ones before it passed, as
    // most of the live messages fail early for most people on every page load.
    let stage: ExclusionStage | null = null;
    let reason: string | null = null;
    if ((reason = audienceFailure(conditions.audience, person, (i) => facts.eventCounts[item.ruleSlots[i]!] ?? 0)) !== null) stage = 'audience';
    else if (item.segment !== null && !memberOf.has(item.segment)) [stage, reason] = ['audience', `the person is not in segment ${item.segment}`];
    else if (item.rules !== null && !(ruleFacts && evaluateRule(item.rules, ruleFacts, now))) [stage, reason] = ['audience', 'the audience rules do not hold for the person'];
    else if (item.fromAutomation && !grantOpen(grants.get(message.id), stats.lastShownAt)) [stage, reason] = ['audience', 'no automation has shown this message to the person since it was last shown'];
    else if (facts.suppressed) [stage, reason] = ['suppression', 'the person is on the suppression list'];
    else if (suppressedBy) [stage, reason] = ['suppression', `suppression rule "${suppressedBy.name}" (${suppressedBy.id}) holds for the person`];
    else if ((reason = scheduleFailure(item.startsAt, item.endsAt, now)) !== null) stage = 'schedule';
    else if ((reason = pageFailure(item.page, url)) !== null) stage = 'page';
    else if ((reason = triggerFailure(conditions.trigger, query.event)) !== null) stage = 'trigger';
    else if ((reason = frequencyFailure(conditions.frequency, stats, now)) !== null) stage = 'frequency';
    if (stage !== null) {
      if (query.debug) excluded.push({ id: message.id, name: message.name, stage, reason: reason! });
      continue;
    }
    const content = fillContent(message, person);
    if (!content) {
      if (query.debug) excluded.push({ id: message.id, name: message.name, stage: 'content', reason: 'the button URL is not http(s) once filled in' });
      continue;
    }
    eligible.push({
      id: message.id,
      deliveryId: deliveryIdFor(projectId, message.id, personKey, stats.deliveries),
      kind: message.kind,
      priority: message.priority,
      content,
      appearance: message.appearance,
      trigger: conditions.trigger,
    } as EligibleMessage);
  }
  return query.debug ? { messages: eligible, triggerEvents, debug: { personId: known?.id ?? null, excluded } } : { messages: eligible, triggerEvents };
}

/** A grant lets the message through once: until it is shown after the grant. */
const grantOpen = (grantedAt: number | undefined, lastShownAt: number | null): boolean => grantedAt !== undefined && (lastShownAt === null || lastShownAt < grantedAt);

/** Fills `{{trait}}` in every text field; null when a cta URL would stop being http(s). */
function fillContent(message: Message, person: PersonFacts): EligibleMessage['content'] | null {
  const filled: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(message.content)) {
    if (typeof value !== 'string') filled[field] = value;
    else if (field === 'url') filled[field] = fillTemplate(value, person, encodeURIComponent);
    else filled[field] = fillTemplate(value, person);
  }
  if (typeof filled.url === 'string') {
    try {
      const protocol = new URL(filled.url).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') return null;
    } catch {
      return null;
    }
  }
  return filled as unknown as EligibleMessage['content'];
}

