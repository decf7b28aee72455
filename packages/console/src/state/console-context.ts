import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Session } from '../api/types.js';

/** What every page needs: the API client and the signed-in session (null before login). */
export interface ConsoleState {
  api: ApiClient;
  session: Session | null;
  /** After login, logout or a change to the member (e.g. their time zone). */
  setSession(session: Session | null): void;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole() outside the console');
  return state;
}

/** The signed-in session; pages behind login only render with one. */
export function useSession(): Session {
  const { session } = useConsole();
  if (!session) throw new Error('useSession() without a session');
  return session;
}

/** The member's time zone, in which every time is shown. */
export function useTimeZone(): string {
  return useConsole().session?.member.timeZone ?? 'UTC';
}
