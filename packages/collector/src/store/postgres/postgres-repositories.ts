import type { MessageKind } from '@hark/protocol';
import type pg from 'pg';
import type { IngestTx, StoredPerson } from '../ports.js';
import { EVENT_INSERT_COLUMNS, toStoredPerson, type PersonRow } from '../sqlite/rows.js';
import type { IdentityType, NormalizedEvent } from '../types.js';
import { identityLockKey, PERSON_AND_ALIASES } from './postgres-rows.js';
import { createPostgresRunRepository } from './postgres-automation-runs.js';
import { createPostgresJobQueue } from './postgres-jobs.js';
import { changes, one, query } from './postgres-sql.js';

const PERSON_WRITE_COLUMNS = {
  kind: 'kind',
  userId: 'user_id',
  email: 'email',
  traits: 'traits',
  traitsAt: 'traits_at',
  createdAt: 'created_at',
  lastSeenAt: 'last_seen_at',
} as const satisfies Record<keyof Omit<StoredPerson, 'id' | 'verified'>, string>;

/** The type of each of EVENT_INSERT_COLUMNS, in order, for the arrays INSERT_EVENTS unnests. */
const EVENT_COLUMN_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'text'];

/**
 * A batch's events in one INSERT of one array per column: the text is the same for any number
 * of events, so it is a named statement, parsed and planned once per connection (a VALUES list
 * of 16 parameters per row was a new text, parsed and planned, for every batch size).
 * ON CONFLICT on the unique (project, messageId) index: the row count says which got in.
 */
if (EVENT_COLUMN_TYPES.length !== EVENT_INSERT_COLUMNS.split(',').length) throw new Error('EVENT_COLUMN_TYPES must name a type for every column of EVENT_INSERT_COLUMNS.');
const INSERT_EVENTS = `INSERT INTO events (${EVENT_INSERT_COLUMNS})
  SELECT * FROM unnest(${EVENT_COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (project_id, message_id) DO NOTHING`;

/**
 * Thrown when a unit of work must run again from the start: another collector committed the
 * same messageId between this one's `exists` and its insert, or another transaction holds an
 * identity lock this one needs while this one already holds others. The store's `transact`
 * rolls back and runs the work again; `lockFirst` then names every identity lock the unit was
 * seen to need, taken before the work starts.
 */
export class RetryUnitOfWork extends Error {
  constructor(
    reason: string,
    readonly lockFirst: readonly string[] = [],
  ) {
    super(reason);
  }
}

export interface IdentityLocking {
  /** Lock keys to take, in this order, before the work runs (known from an earlier attempt). */
  lockFirst: readonly string[];
  /** Wait for every lock even while holding others (PostgreSQL's deadlock detector is then the guard). */
  alwaysWait: boolean;
  /**
   * Only try every lock, never wait (a unit in a group commit after the first): the group's
   * transaction already holds the earlier units' locks, so waiting could close a cycle that only
   * PostgreSQL's deadlock detector breaks, after deadlock_timeout (1 s). A lock held elsewhere
   * fails that unit instead, which then runs alone (postgres-group-commit.ts).
   */
  neverWait?: boolean;
}

/**
 * The PostgreSQL repositories of the ingest unit of work, over the one client `transact` holds
 * between BEGIN and COMMIT. The same statements as sqlite-repositories.ts; what PostgreSQL adds
 * is what several writers need, which SQLite's single writer never did:
 *
 * - Dedupe: the insert is `ON CONFLICT DO NOTHING` on the unique (project, messageId) index. If
 *   it inserts nothing, another transaction stored that event after our `exists` said no: the
 *   unit is retried (RetryUnitOfWork) and then answers `duplicate`, never `stored` twice.
 * - Identity: the first time a transaction looks up or adds an identity (project, type, value)
 *   it takes a transaction-scoped advisory lock on its hash, held to COMMIT. Two collectors
 *   resolving the same anonymous id or user id at once therefore run one after the other, and
 *   the second reads what the first committed (READ COMMITTED: each statement after the lock
 *   sees it), so both end on one person.
 *   Two units taking the same locks in different orders (one identifies user then anonymous
 *   id, the other saw the anonymous id first) would deadlock, and PostgreSQL only breaks that
 *   after deadlock_timeout (1 s). So a unit waits only for its first lock, when it holds none;
 *   any further one it only tries (`pg_try_advisory_xact_lock`). If that fails, the unit is
 *   retried, taking every lock it was seen to need first, in one sorted order: a unit waits
 *   only while holding nothing or while taking locks in that order, so no cycle can form.
 * - A person is read `FOR UPDATE`, so two units changing the same person's traits (reached by
 *   different identities) apply one after the other instead of losing one.
 */
export function createPostgresRepositories(
  client: pg.PoolClient,
  locking: IdentityLocking = { lockFirst: [], alwaysWait: false },
): IngestTx & { lockFirst(): Promise<void>; flush(): Promise<void> } {
  const locked = new Set<string>();
  const lockIdentity = async (projectId: string, type: string, value: string): Promise<void> => {
    const key = identityLockKey(projectId, type, value);
    if (locked.has(key)) return;
    if (!locking.neverWait && (locked.size === 0 || locking.alwaysWait)) {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
    } else {
      const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS got', [key]);
      if (!rows[0]!.got) throw new RetryUnitOfWork(`Identity lock ${key} is held by another transaction.`, [...locked, key]);
    }
    locked.add(key);
  };
  const personUpdates = new Map<string, string>();
  /** Waits for every key, in the order given, in one statement (volatile functions run after the ORDER BY). */
  const lockAll = async (keys: readonly string[]): Promise<void> => {
    if (keys.length === 0) return;
    await client.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i', [keys]);
    for (const key of keys) locked.add(key);
  };
  /*
   * Round trips are what a PostgreSQL unit of work spends its time on (one per statement, where
   * SQLite's are function calls), so within one transaction:
   * - events wait in `pendingEvents` and go in one INSERT (of arrays) at `flush()`, before COMMIT;
   * - an identity once found is remembered (`identities`): its advisory lock is held to COMMIT,
   *   so no other transaction can move it, and this one changes it only through `add` and
   *   `absorb`, which keep the memo right;
   * - a person once read FOR UPDATE is remembered (`people`), locked likewise; every write
   *   through this repository updates or forgets the memo.
   * A batch of 20 events of people already known is then BEGIN, two statements (prefetch), the
   * INSERT, last-seen updates and COMMIT: about 6 round trips, where it was about 60 at first
   * (docs/BENCHMARKS.md, issue 15); each new person adds two (people, identity).
   */
  const pendingEvents: unknown[][] = [];
  /** The chain root of each pending event, by project and messageId (null: in no chain). */
  const pendingChains = new Map<string, string | null>();
  const identities = new Map<string, string | null>();
  const identityKey = (projectId: string, type: string, value: string) => `${projectId}\u0000${type}\u0000${value}`;
  const people = new Map<string, StoredPerson>();
  /** What the batch's first statement read (prefetch): which of its messageIds were stored, and any erasure. */
  const storedRead = new Map<string, { asked: ReadonlySet<string>; stored: ReadonlySet<string> }>();
  const erasedRead = new Map<string, boolean>();
  const copy = (person: StoredPerson): StoredPerson => ({ ...person, traits: { ...person.traits } });

  return {
    async lockFirst() {
      await lockAll([...new Set(locking.lockFirst)].sort());
    },
    async flush() {
      if (pendingEvents.length === 0) return;
      const rows = pendingEvents.splice(0);
      const columns = EVENT_COLUMN_TYPES.map((_, column) => rows.map((row) => row[column]));
      const { rowCount } = await client.query({ name: 'hark_insert_events', text: INSERT_EVENTS, values: columns });
      if ((rowCount ?? 0) < rows.length) throw new RetryUnitOfWork('An event of this batch was stored by another transaction meanwhile.');
    },
    // Jobs the write path queues commit with its events; a unit that runs again enqueues again,
    // which the (project, kind, key) idempotency makes one job.
    jobs: createPostgresJobQueue(client),
    // Runs a step writes commit with its jobs and events; read FOR UPDATE and entry-locked here (postgres-automation-runs.ts).
    runs: createPostgresRunRepository(client, true),
    events: {
      async chainOf(projectId, messageId) {
        // An event of this unit waits in `pendingEvents` until flush: its chain is answered from there.
        const pending = pendingChains.get(`${projectId}\u0000${messageId}`);
        if (pending !== undefined) return { root_id: pending };
        return (await one<{ root_id: string | null }>(client, 'SELECT root_id FROM events WHERE project_id = $1 AND message_id = $2', [projectId, messageId])) ?? null;
      },
      async stored(projectId, messageIds) {
        if (messageIds.length === 0) return new Set<string>();
        // Answered from the batch's first statement when it covered these messageIds.
        const read = storedRead.get(projectId);
        if (read && messageIds.every((id) => read.asked.has(id))) return new Set(messageIds.filter((id) => read.stored.has(id)));
        const found = await client.query<{ message_id: string }>('SELECT message_id FROM events WHERE project_id = $1 AND message_id = ANY($2::text[])', [projectId, [...new Set(messageIds)]]);
        return new Set(found.rows.map((row) => row.message_id));
      },
      insert(projectId, personId, event: NormalizedEvent, chain) {
        const { stored } = event;
        pendingEvents.push([projectId, event.messageId, personId, event.type, event.name, event.anonymousId, event.userId,
          stored.properties, stored.traits, stored.context, stored.device, event.timestamp, event.sentAt, event.receivedAt,
          chain?.parentId ?? null, chain?.rootId ?? null]);
        pendingChains.set(`${projectId}\u0000${event.messageId}`, chain?.rootId ?? null);
      },
    },
    identities: {
      async find(projectId, type: IdentityType, value) {
        const key = identityKey(projectId, type, value);
        const known = identities.get(key);
        if (known !== undefined) return known;
        await lockIdentity(projectId, type, value);
        const row = await one<{ person_id: string }>(client, 'SELECT person_id FROM identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value]);
        identities.set(key, row?.person_id ?? null);
        return row?.person_id ?? null;
      },
      /*
       * The start of a batch in two statements (it was five round trips):
       * 1. the identities' locks (waited for in the one sorted order when this unit holds none,
       *    else only tried, as lockIdentity does), with which of the batch's messageIds are
       *    stored and whether the project has erasures, which `stored` and `anyErased` then
       *    answer from memory. Neither needs to see past the locks: a messageId stored meanwhile
       *    makes the insert retry the unit (flush), and an erasure is as racy as it was read
       *    first;
       * 2. the identities' rows, and the people they point at FOR UPDATE, in one statement:
       *    its snapshot is taken after the locks are held, so it sees what the previous holder
       *    committed; the people are locked in id order, as before.
       * Every find and get after that is answered from memory.
       */
      async prefetch(projectId, named, messageIds = []) {
        const wanted = named.filter(([type, value]) => !identities.has(identityKey(projectId, type, value)));
        const keys = [...new Set(wanted.map(([type, value]) => identityLockKey(projectId, type, value)))].filter((key) => !locked.has(key)).sort();
        const asked = [...new Set(messageIds)];
        const wait = !locking.neverWait && (locked.size === 0 || locking.alwaysWait);
        if (keys.length > 0 || asked.length > 0) {
          const { rows: [first] } = await client.query<{ missed: string[]; stored: string[]; any_erased: boolean }>({
            name: wait ? 'hark_batch_start_wait' : 'hark_batch_start_try',
            text: `SELECT ${wait
              ? "(SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) FROM unnest($3::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i) l) AS waited, '{}'::text[] AS missed"
              : 'ARRAY(SELECT k::text FROM unnest($3::bigint[]) AS t(k) WHERE NOT pg_try_advisory_xact_lock(k)) AS missed'},
              ARRAY(SELECT message_id FROM events WHERE project_id = $1 AND message_id = ANY($2::text[])) AS stored,
              EXISTS (SELECT 1 FROM erased_identities WHERE project_id = $1) AS any_erased`,
            values: [projectId, asked, keys],
          });
          storedRead.set(projectId, { asked: new Set(asked), stored: new Set(first!.stored) });
          erasedRead.set(projectId, first!.any_erased);
          const missed = new Set(first!.missed);
          for (const key of keys) if (!missed.has(key)) locked.add(key);
          if (missed.size > 0) throw new RetryUnitOfWork('An identity lock of this batch is held by another transaction.', [...locked, ...keys]);
        }
        if (wanted.length === 0) return;
        const { rows: [read] } = await client.query<{ found: { type: string; value: string; person_id: string }[] | null; people: PersonRow[] | null }>({
          name: 'hark_batch_identities',
          text: `WITH found AS (
              SELECT i.type, i.value, i.person_id FROM identities i JOIN unnest($2::text[], $3::text[]) AS w(type, value) ON i.type = w.type AND i.value = w.value
              WHERE i.project_id = $1
            ), locked AS (
              SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at, verified FROM people
              WHERE id IN (SELECT person_id FROM found) AND NOT id = ANY($4::text[]) ORDER BY id FOR UPDATE
            )
            SELECT (SELECT json_agg(found) FROM found) AS found, (SELECT json_agg(locked) FROM locked) AS people`,
          values: [projectId, wanted.map(([type]) => type), wanted.map(([, value]) => value), [...people.keys()]],
        });
        for (const [type, value] of wanted) identities.set(identityKey(projectId, type, value), null);
        for (const row of read!.found ?? []) identities.set(identityKey(projectId, row.type, row.value), row.person_id);
        for (const row of read!.people ?? []) people.set(row.id, toStoredPerson(row));
      },
      async add(projectId, type, value, personId, at) {
        await lockIdentity(projectId, type, value);
        const { rowCount: inserted } = await client.query({
          name: 'hark_add_identity',
          text: 'INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, type, value) DO NOTHING',
          values: [projectId, type, value, personId, at],
        });
        // Not inserted: it existed and still points where it did, which a later find reads.
        if (inserted === 1) identities.set(identityKey(projectId, type, value), personId);
        else identities.delete(identityKey(projectId, type, value));
      },
      async anyErased(projectId) {
        const read = erasedRead.get(projectId);
        if (read !== undefined) return read;
        return (await one(client, 'SELECT 1 AS found FROM erased_identities WHERE project_id = $1 LIMIT 1', [projectId])) !== undefined;
      },
      async isErased(projectId, type, value) {
        return (await one(client, 'SELECT 1 AS found FROM erased_identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value])) !== undefined;
      },
    },
    people: {
      async setLocation(personId, geo) {
        const text = JSON.stringify(geo);
        return ((await query(client, 'UPDATE people SET geo = $1 WHERE id = $2 AND geo IS DISTINCT FROM $1', [text, personId])).rowCount ?? 0) > 0;
      },
      async get(personId) {
        const known = people.get(personId);
        if (known) return copy(known);
        const row = await one<PersonRow>(client, 'SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at, verified FROM people WHERE id = $1 FOR UPDATE', [personId]);
        if (!row) return null;
        const person = toStoredPerson(row);
        people.set(personId, copy(person));
        return person;
      },
      async create(projectId, person) {
        await client.query({
          name: 'hark_create_person',
          text: `INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at) VALUES ($1, $2, $3, $4, NULL, '{}', 0, $5, $5)`,
          values: [person.id, projectId, person.kind, person.userId, person.at],
        });
      },
      async update(personId, patch) {
        const keys = (Object.keys(patch) as (keyof typeof PERSON_WRITE_COLUMNS)[]).filter((key) => key in PERSON_WRITE_COLUMNS);
        if (keys.length === 0) return;
        const shape = keys.join(',');
        let sql = personUpdates.get(shape);
        if (!sql) {
          sql = `UPDATE people SET ${keys.map((key) => `${PERSON_WRITE_COLUMNS[key]} = @${key}`).join(', ')} WHERE id = @id`;
          personUpdates.set(shape, sql);
        }
        const params: Record<string, unknown> = { id: personId };
        for (const key of keys) params[key] = key === 'traits' ? JSON.stringify(patch.traits) : patch[key];
        await query(client, sql, params);
        const known = people.get(personId);
        if (known) people.set(personId, copy({ ...known, ...patch }));
      },
      async markVerified(personId) {
        const known = people.get(personId);
        if (known?.verified) return;
        await query(client, 'UPDATE people SET verified = 1 WHERE id = $1 AND verified = 0', [personId]);
        if (known) known.verified = true;
      },
      async absorb(projectId, fromId, intoId) {
        people.delete(fromId);
        for (const [key, personId] of identities) if (personId === fromId) identities.set(key, intoId);
        await query(client, 'UPDATE identities SET person_id = $1 WHERE person_id = $2', [intoId, fromId]);
        await query(client, `INSERT INTO company_members (project_id, company_id, person_id, created_at)
          SELECT project_id, company_id, $1, created_at FROM company_members WHERE person_id = $2 ON CONFLICT DO NOTHING`, [intoId, fromId]);
        await query(client, 'DELETE FROM company_members WHERE person_id = $1', [fromId]);
        await query(client, 'UPDATE person_aliases SET person_id = $1 WHERE person_id = $2', [intoId, fromId]);
        await query(client, `INSERT INTO person_aliases (alias_id, project_id, person_id) VALUES ($1, $2, $3)
          ON CONFLICT (alias_id) DO UPDATE SET project_id = excluded.project_id, person_id = excluded.person_id`, [fromId, projectId, intoId]);
        await query(client, 'DELETE FROM people WHERE id = $1', [fromId]);
      },
      async recordMerge(projectId, merge) {
        await query(client, `INSERT INTO merges (project_id, outcome, from_person_id, into_person_id, anonymous_id, user_id,
          message_id, reason, from_traits, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [projectId, merge.outcome, merge.fromPersonId,
          merge.intoPersonId, merge.anonymousId, merge.userId, merge.messageId, merge.reason, JSON.stringify(merge.fromTraits), merge.at]);
      },
      // Kept to the minute, as on SQLite (sqlite-repositories.ts says why).
      async touch(personId, at, resolution) {
        const known = people.get(personId);
        if (known && known.lastSeenAt >= at - resolution) return false;
        const { rowCount } = await client.query({
          name: 'hark_touch_person',
          text: 'UPDATE people SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1::bigint - $3::bigint',
          values: [at, personId, resolution],
        });
        const moved = rowCount ?? 0;
        if (known && moved > 0) known.lastSeenAt = at;
        return moved > 0;
      },
    },
    companies: {
      async get(projectId, companyId) {
        const row = await one<{ traits: string; traits_at: number }>(client, 'SELECT traits, traits_at FROM companies WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, companyId]);
        return row ? { traits: JSON.parse(row.traits) as Record<string, unknown>, traitsAt: row.traits_at } : null;
      },
      async save(projectId, companyId, traits, traitsAt, at) {
        await query(client, `INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
          ON CONFLICT (project_id, id) DO UPDATE SET traits = excluded.traits, traits_at = excluded.traits_at, updated_at = excluded.updated_at`,
        [projectId, companyId, JSON.stringify(traits), traitsAt, at]);
      },
      async addMember(projectId, companyId, personId, at) {
        await query(client, `INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES ($1, $2, $3, $4)
          ON CONFLICT DO NOTHING`, [projectId, companyId, personId, at]);
      },
    },
    deliveries: {
      async messageKind(projectId, messageId) {
        const row = await one<{ kind: MessageKind }>(client, 'SELECT kind FROM messages WHERE project_id = $1 AND id = $2', [projectId, messageId]);
        return row?.kind ?? null;
      },
      async owner(deliveryId) {
        const row = await one<{ project_id: string; message_id: string; owner: string }>(client, `SELECT d.project_id, d.message_id, coalesce(a.person_id, d.person_id) AS owner
          FROM deliveries d LEFT JOIN person_aliases a ON a.alias_id = d.person_id WHERE d.id = $1`, [deliveryId]);
        return row ? { projectId: row.project_id, messageId: row.message_id, personId: row.owner } : null;
      },
      async latest(projectId, messageId, personId) {
        const row = await one<{ id: string }>(client, `SELECT id FROM deliveries WHERE project_id = @project AND message_id = @message
          AND person_id ${PERSON_AND_ALIASES} ORDER BY created_at DESC, id DESC LIMIT 1`, { project: projectId, message: messageId, id: personId });
        return row?.id ?? null;
      },
      async count(projectId, messageId, personId) {
        const row = await one<{ n: number }>(client, `SELECT count(*) AS n FROM deliveries WHERE project_id = @project AND message_id = @message
          AND person_id ${PERSON_AND_ALIASES}`, { project: projectId, message: messageId, id: personId });
        return row!.n;
      },
      async insert(deliveryId, projectId, messageId, personId, at) {
        await query(client, 'INSERT INTO deliveries (id, project_id, message_id, person_id, created_at) VALUES ($1, $2, $3, $4, $5)', [deliveryId, projectId, messageId, personId, at]);
      },
      async record(deliveryId, interaction, at, answer) {
        const params = { id: deliveryId, at };
        if (interaction === 'shown') {
          await query(client, `UPDATE deliveries SET shown_count = shown_count + 1, shown_at = least(coalesce(shown_at, @at), @at),
            last_shown_at = greatest(coalesce(last_shown_at, @at), @at) WHERE id = @id`, params);
        } else if (interaction === 'clicked') {
          await query(client, 'UPDATE deliveries SET clicked_at = least(coalesce(clicked_at, @at), @at) WHERE id = @id', params);
        } else if (interaction === 'dismissed') {
          await query(client, 'UPDATE deliveries SET dismissed_at = least(coalesce(dismissed_at, @at), @at) WHERE id = @id', params);
        } else {
          await query(client, `UPDATE deliveries SET answered_at = least(coalesce(answered_at, @at), @at),
            value = coalesce(@value::double precision, value), answer_text = coalesce(@text::text, answer_text) WHERE id = @id`,
          { ...params, value: answer?.value ?? null, text: answer?.text ?? null });
        }
      },
    },
  };
}
