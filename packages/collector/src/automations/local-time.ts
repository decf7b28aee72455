/**
 * Local times of day in a named time zone, with Intl (no tz database of our own). Pure: `now`
 * comes from the caller's clock.
 */

/** A valid IANA zone name, else null (a trait may hold anything). */
export function validZone(zone: unknown): string | null {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string, at: number): { y: number; m: number; d: number; h: number; min: number; weekday: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute), weekday };
}

/** Minutes the zone is ahead of UTC at `at`. */
function offsetMs(zone: string, at: number): number {
  const p = partsIn(zone, at);
  const seconds = Math.floor((at % 60_000) / 1000);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, seconds) - (at - (at % 1000));
}

/** The instant of a local wall time in `zone` (a time skipped by a DST jump lands after it). */
function instantOf(zone: string, y: number, m: number, d: number, h: number, min: number): number {
  const wall = Date.UTC(y, m - 1, d, h, min);
  const first = wall - offsetMs(zone, wall);
  return wall - offsetMs(zone, first);
}

/**
 * The first instant after `now` when it is `time` ("HH:MM") in `zone` on one of `weekdays`
 * (0 = Sunday; any day when left out).
 */
export function nextLocalTime(now: number, zone: string, time: string, weekdays?: readonly number[]): number {
  const [h, min] = time.split(':').map(Number) as [number, number];
  const today = partsIn(zone, now);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = new Date(Date.UTC(today.y, today.m - 1, today.d + ahead));
    const weekday = date.getUTCDay();
    if (weekdays && weekdays.length && !weekdays.includes(weekday)) continue;
    const at = instantOf(zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), h, min);
    if (at > now) return at;
  }
  // Unreachable for a valid step (some listed weekday comes within 7 days); a week is the bound.
  return now + 7 * 86_400_000;
}
