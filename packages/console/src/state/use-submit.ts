import { useState } from 'preact/hooks';
import type { ApiRefusal } from '../api/client.js';
import { asRefusal } from './use-load.js';

export interface Submit {
  busy: boolean;
  error: ApiRefusal | null;
  /** Field errors of the last refusal, keyed by the API's paths. */
  fields: Record<string, string>;
  done: string | null;
  /** Runs `action`; on success shows `doneText` (if any), on refusal keeps the error for the form. */
  run(action: () => Promise<unknown>, doneText?: string): Promise<boolean>;
  clear(): void;
}

/** The state of one form's submission: busy while it runs, then its refusal or its success note. */
export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiRefusal | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return {
    busy,
    error,
    fields: error?.fields ?? {},
    done,
    async run(action, doneText) {
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        await action();
        setDone(doneText ?? null);
        return true;
      } catch (caught) {
        setError(asRefusal(caught));
        return false;
      } finally {
        setBusy(false);
      }
    },
    clear() {
      setError(null);
      setDone(null);
    },
  };
}
