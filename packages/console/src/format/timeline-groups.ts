import type { ActivityItem } from '../api/types.js';

/** The channels of the timeline filter; the collector derives each event's (docs/API.md, "channel"). */
export const CHANNELS = ['web', 'email', 'message', 'automation', 'webhook'] as const;

/** A timeline row: an event, with the events of its chain that are loaded and shown under it. */
export interface TimelineRow {
  item: ActivityItem;
  chained: ActivityItem[];
}

/**
 * Groups loaded activity by chain (pure): an event whose chain root is among the loaded events is
 * shown under that root (oldest first), not on its own; one whose root is not loaded (older, or
 * another contact's, such as the email they clicked) stays a row and can open its chain.
 * The filter keeps a row when its event or one of its chained events matches.
 */
export function groupTimeline(items: readonly ActivityItem[], keep: (item: ActivityItem) => boolean = () => true): TimelineRow[] {
  const loaded = new Set(items.map((item) => item.messageId));
  const under = new Map<string, ActivityItem[]>();
  const rows: TimelineRow[] = [];
  for (const item of items) {
    if (item.rootId && item.rootId !== item.messageId && loaded.has(item.rootId)) {
      const list = under.get(item.rootId) ?? [];
      list.push(item);
      under.set(item.rootId, list);
    }
  }
  for (const item of items) {
    if (item.rootId && item.rootId !== item.messageId && loaded.has(item.rootId)) continue;
    const chained = (under.get(item.messageId) ?? []).slice().sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    if (keep(item) || chained.some(keep)) rows.push({ item, chained });
  }
  return rows;
}
