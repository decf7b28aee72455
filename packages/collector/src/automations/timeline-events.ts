import { storedJsonOf } from '../ingest/normalize-event.js';
import type { NormalizedEvent } from '../store/types.js';

export const AUTOMATION_ENTERED = 'Automation Entered';
export const AUTOMATION_STEP = 'Automation Step';
export const AUTOMATION_EXITED = 'Automation Exited';

const SERVER_DEVICE = { browser: null, browserVersion: null, os: null, osVersion: null, type: 'server' };

/**
 * A timeline event Hark writes for a run, chained to the run's root (context.hark.rootId, the
 * event that started it; docs/AUTOMATIONS.md). `messageId` is derived from the run and its visit,
 * so writing it again after a retry is the same event.
 */
export function runEvent(name: string, messageId: string, rootId: string, properties: Record<string, unknown>, at: number): NormalizedEvent {
  const automation = typeof properties.automationId === 'string' ? { automation: { automationId: properties.automationId, runId: properties.runId } } : {};
  const context = { hark: { rootId, parentId: rootId }, ...automation } as unknown as NormalizedEvent['context'];
  const event = {
    messageId,
    type: 'track' as const,
    name,
    anonymousId: null,
    userId: null,
    groupId: null,
    previousId: null,
    properties,
    traits: {},
    context,
    email: null,
    verified: true,
    device: SERVER_DEVICE,
    timestamp: at,
    sentAt: null,
    receivedAt: at,
    // The chain of events (events.parent_id, events.root_id): every event of a run hangs off its root.
    parentId: rootId,
    rootId,
  };
  return { ...event, stored: storedJsonOf(event) };
}
