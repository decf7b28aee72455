import { emailLeafAsEvent } from './email-leaf.js';
import { compareValue, readPath, withinChangesAt } from './compare-values.js';
import { DAY_MS, dayOf, type PersonFacts } from './person-facts.js';
import type { EventLeaf, EventWindow, Leaf, NoEventLeaf, Rule } from './rule-types.js';
import { parseIsoDate } from './validate-rule.js';

/**
 * Pure evaluation of a validated rule tree over one person's facts at `now` (DESIGN §8). No I/O:
 * the store loads the facts `factsNeeded` names, and the clock's `now` is passed in, so tests
 * move time by hand.
 */
export function evaluateRule(rule: Rule, facts: PersonFacts, now: number): boolean {
  // Loops, not every/some with a closure: this runs per segment per person evaluated.
  if ('and' in rule) {
    for (const child of rule.and) if (!evaluateRule(child, facts, now)) return false;
    return true;
  }
  if ('or' in rule) {
    for (const child of rule.or) if (evaluateRule(child, facts, now)) return true;
    return false;
  }
  if ('not' in rule) return !evaluateRule(rule.not, facts, now);
  return evaluateLeaf(rule, facts, now);
}

/** The UTC days [first, last] a window covers at `now`; null bounds are open. */
function windowDays(window: EventWindow | undefined, now: number): [number | null, number | null] {
  if (!window) return [null, null];
  if ('lastDays' in window) return [dayOf(now) - window.lastDays + 1, null];
  const from = parseIsoDate(window.from);
  const to = parseIsoDate(window.to);
  return [from === null ? null : dayOf(from), to === null ? null : dayOf(to)];
}

const inDays = (day: number, [first, last]: [number | null, number | null]): boolean => (first === null || day >= first) && (last === null || day <= last);

/** Times the leaf's event happened in its window (with its property conditions, when any). */
export function countEvents(leaf: EventLeaf | NoEventLeaf, facts: PersonFacts, now: number): number {
  const range = windowDays(leaf.window, now);
  if (leaf.where?.length) {
    let count = 0;
    for (const occurrence of facts.eventOccurrences.get(leaf.event) ?? []) {
      if (!inDays(dayOf(occurrence.timestamp), range)) continue;
      if (leaf.where.every((c) => compareValue(readPath(occurrence.properties, c.property), c.op, c.value, now))) count++;
    }
    return count;
  }
  let count = 0;
  for (const [day, n] of facts.eventDays.get(leaf.event) ?? []) if (inDays(day, range)) count += n;
  return count;
}

function evaluateLeaf(leaf: Leaf, facts: PersonFacts, now: number): boolean {
  switch (leaf.type) {
    case 'kind':
      return leaf.value.includes(facts.kind);
    case 'trait':
      return compareValue(readTrait(facts, leaf.trait), leaf.op, leaf.value, now);
    case 'company_trait':
      return facts.companies.some((traits) => compareValue(readPath(traits, leaf.trait), leaf.op, leaf.value, now));
    case 'list':
      return facts.lists.has(leaf.list);
    case 'event': {
      const count = countEvents(leaf, facts, now);
      const { op, value } = leaf.count ?? { op: 'at_least', value: 1 };
      return op === 'at_least' ? count >= value : op === 'at_most' ? count <= value : count === value;
    }
    case 'no_event':
      return countEvents(leaf, facts, now) === 0;
    case 'first_seen':
    case 'last_seen': {
      const at = leaf.type === 'first_seen' ? facts.firstSeenAt : facts.lastSeenAt;
      if (leaf.op === 'within_last_days') return compareValue(at, 'within_last_days', leaf.value, now);
      if (leaf.op === 'not_within_last_days') return !compareValue(at, 'within_last_days', leaf.value, now);
      const bound = parseIsoDate(leaf.value);
      return bound !== null && (leaf.op === 'before' ? at < bound : at > bound);
    }
    case 'geo': {
      const actual = facts.geo?.[leaf.field] ?? null;
      const lower = actual?.toLowerCase() ?? null;
      switch (leaf.op) {
        case 'exists':
          return lower !== null && lower !== '';
        case 'not_exists':
          return lower === null || lower === '';
        case 'equals':
          return lower !== null && lower === String(leaf.value).toLowerCase();
        case 'not_equals':
          return lower === null || lower !== String(leaf.value).toLowerCase();
        case 'in':
          return lower !== null && (leaf.value as string[]).some((v) => v.toLowerCase() === lower);
      }
      return false;
    }
    case 'message': {
      const stats = facts.messages.get(leaf.message);
      if (!stats) return false;
      if (leaf.op === 'grade_lte') return stats.grade !== null && stats.grade <= leaf.value!;
      if (leaf.op === 'grade_gte') return stats.grade !== null && stats.grade >= leaf.value!;
      return stats[leaf.op];
    }
    case 'email':
      return evaluateLeaf(emailLeafAsEvent(leaf), facts, now);
    case 'opted_out':
      return facts.optedOut;
  }
}

/** Traits first; `email` and `userId` fall back to the person's own identifiers. */
function readTrait(facts: PersonFacts, path: string): unknown {
  const value = readPath(facts.traits, path);
  if (value !== undefined && value !== null) return value;
  if (path === 'email') return facts.email ?? undefined;
  if (path === 'userId') return facts.userId ?? undefined;
  return value;
}

/**
 * The earliest instant after `now` at which the tree's answer for these same facts could change
 * with time alone (a day leaving an event window, a date trait ageing out of "within N days"),
 * or null when only new facts can change it. Taken over every timed leaf, whether or not it
 * decides the answer, so it may be early but never late: memberships store it as their re-check
 * time and the sweep re-evaluates them then.
 */
export function nextChangeAt(rule: Rule, facts: PersonFacts, now: number): number | null {
  return earliestChange(rule, facts, now, null);
}

/** The earlier of `next` and `at`, counting only instants after `now`. */
const earlier = (next: number | null, at: number | null, now: number): number | null =>
  at !== null && at > now && (next === null || at < next) ? at : next;

// Plain recursion, no closures made per call: this runs for every segment of every person
// evaluated (an import evaluates 50 segments per contact).
function earliestChange(node: Rule, facts: PersonFacts, now: number, next: number | null): number | null {
  if ('and' in node) {
    for (const child of node.and) next = earliestChange(child, facts, now, next);
    return next;
  }
  if ('or' in node) {
    for (const child of node.or) next = earliestChange(child, facts, now, next);
    return next;
  }
  if ('not' in node) return earliestChange(node.not, facts, now, next);
  switch (node.type) {
    case 'event':
    case 'no_event':
      return earlier(next, windowLeavesAt(node, facts, now), now);
    case 'email':
      return earlier(next, windowLeavesAt(emailLeafAsEvent(node), facts, now), now);
    case 'trait':
      return node.op === 'within_last_days' ? earlier(next, withinChangesAt(readTrait(facts, node.trait), Number(node.value), now), now) : next;
    case 'company_trait':
      if (node.op === 'within_last_days') for (const traits of facts.companies) next = earlier(next, withinChangesAt(readPath(traits, node.trait), Number(node.value), now), now);
      return next;
    case 'first_seen':
    case 'last_seen':
      if (node.op === 'within_last_days' || node.op === 'not_within_last_days') {
        return earlier(next, withinChangesAt(node.type === 'first_seen' ? facts.firstSeenAt : facts.lastSeenAt, Number(node.value), now), now);
      }
      return next;
    default:
      return next;
  }
}

/** A "last T days" window loses its oldest counted day at the start of day (oldest + T). */
function windowLeavesAt(leaf: EventLeaf | NoEventLeaf, facts: PersonFacts, now: number): number | null {
  if (!leaf.window || !('lastDays' in leaf.window)) return null;
  const first = dayOf(now) - leaf.window.lastDays + 1;
  let oldest: number | null = null;
  if (leaf.where?.length) {
    for (const occurrence of facts.eventOccurrences.get(leaf.event) ?? []) {
      const day = dayOf(occurrence.timestamp);
      if (day >= first && (oldest === null || day < oldest)) oldest = day;
    }
  } else {
    for (const [day, n] of facts.eventDays.get(leaf.event) ?? []) if (n > 0 && day >= first && (oldest === null || day < oldest)) oldest = day;
  }
  return oldest === null ? null : (oldest + leaf.window.lastDays) * DAY_MS;
}
