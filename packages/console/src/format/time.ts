/**
 * Every time in the console is shown in the member's time zone (DESIGN §11), and schedules are
 * entered in it. The browser's own zone plays no part.
 */

const formats = new Map<string, { format(date: Date): string; formatToParts(date: Date): Intl.DateTimeFormatPart[] }>();

function format(timeZone: string, options: Intl.DateTimeFormatOptions, locale?: string) {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let cached = formats.get(key);
  if (!cached) {
    try {
      cached = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      // A zone this browser does not know: UTC, and say so in the text.
      const utc = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
      cached = { format: (date) => utc.format(date) + ' UTC', formatToParts: (date) => utc.formatToParts(date) };
    }
    formats.set(key, cached);
  }
  return cached;
}

/** `iso` as a date and time in `timeZone`, e.g. "2 Dec 2026, 16:05". Empty for no time; the text itself for a bad one. */
export function formatTime(iso: string | null | undefined, timeZone: string, locale?: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return format(timeZone, { dateStyle: 'medium', timeStyle: 'short' }, locale).format(date);
}

/** `iso` as a date only in `timeZone`, for chart axes. */
export function formatDay(iso: string, timeZone: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return format(timeZone, { dateStyle: 'medium' }, locale).format(date);
}

/**
 * `iso` as the `YYYY-MM-DDTHH:mm` a `datetime-local` input holds, in `timeZone`: how a stored
 * schedule is put back in the form for a member to edit in their own zone.
 */
export function toLocalInput(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(
    format(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 'en-US')
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** True for an IANA zone this browser knows, such as Europe/Paris or UTC. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** The zones to choose from: the browser's list, with `current` kept even if it is missing. */
export function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC'];
  const all = zones.includes('UTC') ? zones : ['UTC', ...zones];
  return all.includes(current) ? all : [current, ...all];
}
