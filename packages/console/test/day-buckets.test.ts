import { describe, expect, it } from 'vitest';
import { dayBuckets, zonedToInstant } from '../src/format/day-buckets.js';

describe('days in the member’s time zone', () => {
  it('finds the instant of a wall-clock time in a zone, across daylight saving', () => {
    expect(new Date(zonedToInstant('2026-12-01T00:00', 'Europe/Paris')).toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(new Date(zonedToInstant('2026-07-01T00:00', 'Europe/Paris')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(new Date(zonedToInstant('2026-12-01T09:30', 'America/New_York')).toISOString()).toBe('2026-12-01T14:30:00.000Z');
  });

  it('cuts the last days at the member’s local midnights, today ending now', () => {
    const now = Date.parse('2026-12-02T15:30:00.000Z');
    expect(dayBuckets(now, 3, 'Asia/Tokyo')).toEqual([
      { day: '2026-12-01', from: '2026-11-30T15:00:00.000Z', to: '2026-12-01T15:00:00.000Z' },
      { day: '2026-12-02', from: '2026-12-01T15:00:00.000Z', to: '2026-12-02T15:00:00.000Z' },
      { day: '2026-12-03', from: '2026-12-02T15:00:00.000Z', to: '2026-12-02T15:30:00.000Z' },
    ]);
  });

  it('gives a 23-hour day where the clocks go forward', () => {
    const [spring] = dayBuckets(Date.parse('2026-03-30T12:00:00.000Z'), 2, 'Europe/Paris');
    expect(spring).toEqual({ day: '2026-03-29', from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
  });
});
