import { toLocalInput } from './time.js';

const DAY = 24 * 3600 * 1000;

/** The UTC instant of `YYYY-MM-DDTHH:mm` as a wall-clock time in `timeZone` (two rounds settle DST). */
export function zonedToInstant(local: string, timeZone: string): number {
  const wanted = Date.parse(local + ':00Z');
  let instant = wanted;
  for (let round = 0; round < 2; round++) {
    const seen = Date.parse(toLocalInput(new Date(instant).toISOString(), timeZone) + ':00Z');
    instant += wanted - seen;
  }
  return instant;
}

export interface DayBucket {
  /** `YYYY-MM-DD` in the member's zone. */
  day: string;
  from: string;
  to: string;
}

/**
 * The last `days` calendar days in `timeZone`, oldest first, today included (it ends at `now`),
 * each from its local midnight to the next: what the results-over-time chart asks for.
 */
export function dayBuckets(now: number, days: number, timeZone: string): DayBucket[] {
  const today = toLocalInput(new Date(now).toISOString(), timeZone).slice(0, 10);
  const buckets: DayBucket[] = [];
  let end = now;
  let day = today;
  for (let i = 0; i < days; i++) {
    const start = zonedToInstant(`${day}T00:00`, timeZone);
    buckets.unshift({ day, from: new Date(start).toISOString(), to: new Date(end).toISOString() });
    end = start;
    // Noon of the day before is always on that day, whatever DST does to midnight.
    day = toLocalInput(new Date(start - DAY / 2).toISOString(), timeZone).slice(0, 10);
  }
  return buckets;
}
