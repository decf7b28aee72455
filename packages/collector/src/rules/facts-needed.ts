import { emailLeafAsEvent } from './email-leaf.js';
import type { Rule } from './rule-types.js';

/**
 * What a tree reads, so the store loads only that (one query per kind of fact) and a change
 * re-evaluates only the trees that mention it.
 */
export interface FactsNeeded {
  /** Events counted by day. */
  events: Set<string>;
  /** Events whose occurrences (with properties) are needed, for `where` conditions. */
  eventOccurrences: Set<string>;
  lists: Set<string>;
  messages: Set<string>;
  traits: boolean;
  /**
   * The top-level trait keys the tree's leaves name (`company.name` → `company`), with `$kind`
   * for a kind leaf and `email`/`userId` (the person's own fields too), so a trait write
   * re-evaluates only the trees that read one of the keys it changed.
   */
  traitKeys: Set<string>;
  companies: boolean;
  geo: boolean;
  seen: boolean;
  optedOut: boolean;
  /** Some leaf changes its answer with time alone (rolling windows, "within N days"). */
  timed: boolean;
}

export const noFacts = (): FactsNeeded => ({
  events: new Set(),
  eventOccurrences: new Set(),
  lists: new Set(),
  messages: new Set(),
  traits: false,
  traitKeys: new Set(),
  companies: false,
  geo: false,
  seen: false,
  optedOut: false,
  timed: false,
});

/** Adds what `rule` reads to `into` (a fresh set by default), so several trees can be merged. */
export function factsNeeded(rule: Rule, into: FactsNeeded = noFacts()): FactsNeeded {
  if ('and' in rule) {
    for (const child of rule.and) factsNeeded(child, into);
    return into;
  }
  if ('or' in rule) {
    for (const child of rule.or) factsNeeded(child, into);
    return into;
  }
  if ('not' in rule) return factsNeeded(rule.not, into);
  switch (rule.type) {
    case 'kind':
      into.traits = true;
      into.traitKeys.add(KIND_KEY);
      break;
    case 'trait':
      into.traits = true;
      into.traitKeys.add(rule.trait.split('.')[0]!);
      if (rule.op === 'within_last_days') into.timed = true;
      break;
    case 'company_trait':
      into.companies = true;
      if (rule.op === 'within_last_days') into.timed = true;
      break;
    case 'list':
      into.lists.add(rule.list);
      break;
    case 'event':
    case 'no_event':
      (rule.where?.length ? into.eventOccurrences : into.events).add(rule.event);
      if (rule.window && 'lastDays' in rule.window) into.timed = true;
      break;
    case 'first_seen':
    case 'last_seen':
      into.seen = true;
      if (rule.op === 'within_last_days' || rule.op === 'not_within_last_days') into.timed = true;
      break;
    case 'geo':
      into.geo = true;
      break;
    case 'message':
      into.messages.add(rule.message);
      break;
    case 'email':
      return factsNeeded(emailLeafAsEvent(rule), into);
    case 'opted_out':
      into.optedOut = true;
      into.traits = true;
      for (const key of ['unsubscribed', 'email', 'userId']) into.traitKeys.add(key);
      break;
  }
  return into;
}

/** Adds everything `from` reads to `into` (the facts of several trees, loaded once). */
export function mergeNeeded(into: FactsNeeded, from: FactsNeeded): FactsNeeded {
  for (const e of from.events) into.events.add(e);
  for (const e of from.eventOccurrences) into.eventOccurrences.add(e);
  for (const l of from.lists) into.lists.add(l);
  for (const m of from.messages) into.messages.add(m);
  for (const k of from.traitKeys) into.traitKeys.add(k);
  into.traits ||= from.traits;
  into.companies ||= from.companies;
  into.geo ||= from.geo;
  into.seen ||= from.seen;
  into.optedOut ||= from.optedOut;
  into.timed ||= from.timed;
  return into;
}

/** The `traitKeys` entry of a kind leaf (a person's kind is not a trait, but changes like one). */
export const KIND_KEY = '$kind';

/** What changed about a person, as ingest, lists and the admin API report it. */
export interface FactsChange {
  events?: Iterable<string>;
  lists?: Iterable<string>;
  /** Any message interaction. */
  messages?: boolean;
  /** `true`: any trait (or kind, email, user id) may have changed; a list: only these top-level keys (see `traitKeys`). */
  traits?: boolean | Iterable<string>;
  companies?: boolean;
  /** Last seen (or first seen) moved. */
  seen?: boolean;
  /** The last known place changed. */
  geo?: boolean;
  /** Everything (a merge, an erasure): re-evaluate every tree. */
  all?: boolean;
  /**
   * With `all`: the person was created by this unit of work and nothing merged into them, so
   * they hold no membership and no merged-away id yet; the re-evaluation skips reading them.
   */
  created?: boolean;
}

/** True when the tree reads something the change touched. */
export function touches(needed: FactsNeeded, change: FactsChange): boolean {
  if (change.all) return true;
  if (change.traits === true && (needed.traits || needed.optedOut)) return true;
  if (change.traits && change.traits !== true) for (const key of change.traits) if (needed.traitKeys.has(key)) return true;
  if (change.companies && needed.companies) return true;
  if (change.seen && needed.seen) return true;
  if (change.geo && needed.geo) return true;
  if (change.messages && needed.messages.size > 0) return true;
  for (const event of change.events ?? []) if (needed.events.has(event) || needed.eventOccurrences.has(event)) return true;
  for (const list of change.lists ?? []) if (needed.lists.has(list)) return true;
  return false;
}
