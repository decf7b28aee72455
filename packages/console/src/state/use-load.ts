import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiRefusal } from '../api/client.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiRefusal | null;
  loading: boolean;
  reload(): void;
}

/** Loads `load()` when `deps` change; a later answer always replaces an earlier one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiRefusal | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error: asRefusal(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

export function asRefusal(error: unknown): ApiRefusal {
  return error instanceof ApiRefusal ? error : new ApiRefusal(0, 'console', error instanceof Error ? error.message : String(error));
}
