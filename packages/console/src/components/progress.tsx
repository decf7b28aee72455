import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { ApiRefusal } from '../api/client.js';

/** Calls shorter than this show no indicator, so fast pages do not flicker. */
const SLOW_MS = 250;

/**
 * A bar at the top of the page while any admin API call has taken longer than a moment, and
 * "Loading…" for screen readers.
 */
export function ProgressBar(props: { api: ApiClient }) {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    props.api.onBusy((pending) => {
      clearTimeout(timer);
      if (pending > 0) timer = setTimeout(() => setSlow(true), SLOW_MS);
      else setSlow(false);
    });
  }, [props.api]);
  return (
    <div class={slow ? 'progress on' : 'progress'} role="status" aria-live="polite">
      <span class="sr-only">{slow ? 'Loading…' : ''}</span>
    </div>
  );
}

/** What a page shows while its data loads, or when the load was refused. */
export function Loading(props: { error?: ApiRefusal | null; retry?: () => void }) {
  if (props.error)
    return (
      <div class="notice error" role="alert">
        <p>{props.error.message}</p>
        {props.retry ? (
          <button type="button" onClick={props.retry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  return (
    <p class="loading" aria-busy="true">
      Loading…
    </p>
  );
}
