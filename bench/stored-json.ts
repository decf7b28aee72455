import { storedJsonOf } from '../packages/collector/src/ingest/normalize-event.js';
import type { NormalizedEvent } from '../packages/collector/src/store/types.js';

/** A generated event with the JSON its store writes, as normalisation would attach it. */
export const withStoredJson = (event: Omit<NormalizedEvent, 'stored'> & { stored?: unknown }): NormalizedEvent => ({
  ...event,
  stored: storedJsonOf(event),
});
