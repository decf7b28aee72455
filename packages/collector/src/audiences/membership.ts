import { evaluateRule, nextChangeAt, type PersonFacts, type Rule } from '../rules/index.js';

/** What evaluating one person against one segment decided. */
export interface MembershipDecision {
  member: boolean;
  /** 'enter' or 'exit' when it differs from what was kept; null when unchanged. */
  transition: 'enter' | 'exit' | null;
  /** When the answer can next change with time alone, or null. */
  recheckAt: number | null;
}

/**
 * Pure: is this person in the segment now, did that change, and when must they be looked at
 * again even if nothing new happens. Someone the store no longer holds (null facts) is in no
 * segment.
 */
export function decideMembership(rule: Rule, facts: PersonFacts | null, wasMember: boolean, now: number): MembershipDecision {
  const member = facts !== null && evaluateRule(rule, facts, now);
  return {
    member,
    transition: member === wasMember ? null : member ? 'enter' : 'exit',
    recheckAt: facts === null ? null : nextChangeAt(rule, facts, now),
  };
}

/** The reserved event names that record transitions on the person's timeline. */
export const SEGMENT_ENTERED = 'Segment Entered';
export const SEGMENT_EXITED = 'Segment Exited';
