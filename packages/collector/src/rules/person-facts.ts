import type { ContactKind } from '@hark/protocol';

export const DAY_MS = 86_400_000;

/** The UTC day number of an instant (days since 1970-01-01). Counts are kept per such day. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

export interface Geo {
  country: string | null;
  region: string | null;
  city: string | null;
  continent: string | null;
}

/** One tracked event, for rules with property conditions (counts cannot answer those). */
export interface EventOccurrence {
  timestamp: number;
  properties: Record<string, unknown>;
}

export interface MessageInteraction {
  shown: boolean;
  dismissed: boolean;
  answered: boolean;
  /** The latest survey grade answered, 1–5. */
  grade: number | null;
}

/**
 * Everything a rule tree may read about one person, as plain values: the store loads only what
 * `factsNeeded` names, evaluation never does I/O. Facts a tree does not mention may be left empty.
 */
export interface PersonFacts {
  kind: ContactKind;
  traits: Record<string, unknown>;
  email: string | null;
  userId: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Ids of the static lists the person is on. */
  lists: ReadonlySet<string>;
  /** The traits of each company the person belongs to. */
  companies: readonly Record<string, unknown>[];
  /** Event name → UTC day number → times tracked that day. */
  eventDays: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Event name → occurrences (newest first, capped), loaded only for rules with `where`. */
  eventOccurrences: ReadonlyMap<string, readonly EventOccurrence[]>;
  /** By message id; absent means never reached. */
  messages: ReadonlyMap<string, MessageInteraction>;
  geo: Geo | null;
  optedOut: boolean;
}

/** A person with no history (someone never seen, or an empty test value). */
export function emptyFacts(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    kind: 'visitor',
    traits: {},
    email: null,
    userId: null,
    firstSeenAt: 0,
    lastSeenAt: 0,
    lists: new Set(),
    companies: [],
    eventDays: new Map(),
    eventOccurrences: new Map(),
    messages: new Map(),
    geo: null,
    optedOut: false,
    ...overrides,
  };
}
