import type { Rule } from '../api/audience-types.js';
import { emptyTree, fromRule, toRule, type GroupNode } from './rule-tree.js';

/**
 * A message's audience as issue 11 widens it: the existing conditions (kinds, traits, event
 * rules), or `{ segment: id }` (people in a segment), or `{ rules: tree }` (a rule tree evaluated
 * live). Pure; message-draft.ts keeps the draft, this converts its audience part.
 */
/** `automation`: only people an automation's "show in-app message" step reached (issue 12). */
export type AudienceMode = 'conditions' | 'segment' | 'rules' | 'automation';

export interface AudienceDraft {
  audienceMode: AudienceMode;
  segment: string;
  audienceTree: GroupNode;
}

export const newAudienceDraft = (): AudienceDraft => ({ audienceMode: 'conditions', segment: '', audienceTree: emptyTree() });

/** The stored audience's mode, segment and tree (a stored segment or tree wins over conditions). */
export function audienceDraftFrom(audience: Record<string, unknown> | undefined): AudienceDraft {
  if (audience && typeof audience.segment === 'string') return { ...newAudienceDraft(), audienceMode: 'segment', segment: audience.segment };
  if (audience && audience.fromAutomation === true) return { ...newAudienceDraft(), audienceMode: 'automation' };
  if (audience && audience.rules && typeof audience.rules === 'object') return { ...newAudienceDraft(), audienceMode: 'rules', audienceTree: fromRule(audience.rules as Rule) };
  return newAudienceDraft();
}

/** The audience to send: `{ segment }` or `{ rules }` alone, or `conditions` (the kinds, traits and events) as they are. */
export function audienceToSend<T extends object>(draft: AudienceDraft, conditions: T): T | { segment: string } | { rules: Rule } | { fromAutomation: true } {
  if (draft.audienceMode === 'automation') return { fromAutomation: true };
  if (draft.audienceMode === 'segment') return { segment: draft.segment };
  if (draft.audienceMode === 'rules') return { rules: toRule(draft.audienceTree) };
  return conditions;
}
