import { formatTime } from '../format/time.js';
import { useTimeZone } from '../state/console-context.js';

/** A time from the API, shown in the member's time zone, with the exact instant in `datetime`. */
export function Time(props: { iso: string | null | undefined }) {
  const zone = useTimeZone();
  if (!props.iso) return <span>—</span>;
  return <time dateTime={props.iso}>{formatTime(props.iso, zone)}</time>;
}
