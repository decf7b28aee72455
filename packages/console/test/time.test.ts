import { describe, expect, it } from 'vitest';
import { formatTime, isTimeZone, timeZones, toLocalInput } from '../src/format/time.js';

describe('times in the member’s time zone', () => {
  const instant = '2026-12-02T15:30:00.000Z';

  it('shows the same instant as each member’s local time, whatever the browser’s zone', () => {
    expect(formatTime(instant, 'Europe/Paris', 'en-GB')).toBe('2 Dec 2026, 16:30');
    expect(formatTime(instant, 'America/New_York', 'en-GB')).toBe('2 Dec 2026, 10:30');
    expect(formatTime(instant, 'Asia/Tokyo', 'en-GB')).toBe('3 Dec 2026, 00:30');
  });

  it('shows nothing for no time, the text itself for a time it cannot read, and UTC for an unknown zone', () => {
    expect(formatTime(null, 'UTC')).toBe('');
    expect(formatTime('not a time', 'UTC')).toBe('not a time');
    expect(formatTime(instant, 'Mars/Olympus', 'en-GB')).toBe('2 Dec 2026, 15:30 UTC');
  });

  it('puts a stored UTC schedule back in the form as the member’s local time', () => {
    expect(toLocalInput('2026-12-01T08:00:00.000Z', 'Europe/Paris')).toBe('2026-12-01T09:00');
    expect(toLocalInput('2026-07-01T07:00:00.000Z', 'Europe/Paris')).toBe('2026-07-01T09:00');
    expect(toLocalInput('2026-12-01T00:30:00.000Z', 'America/Los_Angeles')).toBe('2026-11-30T16:30');
    expect(toLocalInput('2026-12-01T00:00:00.000Z', 'UTC')).toBe('2026-12-01T00:00');
    expect(toLocalInput(null, 'UTC')).toBe('');
  });

  it('knows the IANA zones, and keeps the member’s own in the list', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Europe/Nowhere')).toBe(false);
    expect(timeZones('UTC')).toContain('Europe/Paris');
    expect(timeZones('Etc/Legacy-Zone')[0]).toBe('Etc/Legacy-Zone');
  });
});
