import type { FactsChange } from '../rules/index.js';
import type { NormalizedEvent } from '../store/types.js';

const MESSAGE_EVENTS = new Set(['Message Shown', 'Message Clicked', 'Message Dismissed', 'Message Answered']);

/**
 * What one stored event may have changed about its person, so only the segments that read it
 * are re-evaluated. Every event moves last seen (and the place it was seen from). An identify
 * may merge people, so it re-evaluates everything.
 */
export function changeOf(event: NormalizedEvent): FactsChange {
  if (event.type === 'identify' || event.type === 'alias') return { all: true };
  const change: FactsChange = { seen: true };
  if (event.email) change.traits = true;
  if (event.type === 'group') change.companies = true;
  if (event.type === 'track' && event.name) {
    change.events = [event.name];
    if (MESSAGE_EVENTS.has(event.name)) change.messages = true;
  }
  return change;
}

/** Folds a second change into the first (several events of one person in one batch). */
export function mergeChange(into: FactsChange, change: FactsChange): FactsChange {
  if (change.all) into.all = true;
  if (change.traits) into.traits = true;
  if (change.companies) into.companies = true;
  if (change.seen) into.seen = true;
  if (change.messages) into.messages = true;
  if (change.events) into.events = [...(into.events ?? []), ...change.events];
  if (change.lists) into.lists = [...(into.lists ?? []), ...change.lists];
  return into;
}
