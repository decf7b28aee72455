import pg from 'pg';
import { createAsyncAutomationTap, type TapUnit } from '../../automations/store-tap.js';
import { systemClock, type Clock } from '../../clock.js';
import { cursorKey, toPage } from '../cursor.js';
import { EVENT_COLUMNS, iso, PERSON_COLUMNS, toActivityItem, toCompanySummary, toPersonSummary, type CompanyRow, type EventRow, type PersonRow } from '../sqlite/rows.js';
import type { Store } from '../store.js';
import type { IngestTx } from '../ports.js';
import { createPostgresChains } from './postgres-chains.js';
import { createPostgresHookSources } from './postgres-hook-sources.js';
import { createChangedPeople } from '../../audiences/changed-people.js';
import { createSegmentCatalog } from '../../audiences/segment-catalog.js';
import { trackIngestChanges } from '../../audiences/track-ingest-changes.js';
import { createPostgresAudienceRows, type TransitionHook } from './postgres-audience-rows.js';
import { queueTransitionWebhooks } from '../../webhooks/queue-transition-webhooks.js';
import { sharedWebhookSubscriptions } from '../../webhooks/webhook-subscriptions.js';
import { createPostgresAudienceUnit, finishAudienceWork } from './postgres-audience-unit.js';
import { createPostgresImports } from './postgres-imports.js';
import { createPostgresSegments } from './postgres-segments.js';
import type { IdentityType, PersonDetail, ProjectTotals } from '../types.js';
import { openChangeFeed, type ChangeFeed } from './postgres-changes.js';
import { createPostgresAutomations } from './postgres-automations.js';
import { createPostgresCompanies } from './postgres-companies.js';
import { createPostgresContacts } from './postgres-contacts.js';
import { createPostgresJobQueue, createPostgresJobs } from './postgres-jobs.js';
import { createPostgresLists } from './postgres-lists.js';
import { createPostgresEmails } from './postgres-emails.js';
import { createPostgresEmailTemplates } from './postgres-email-templates.js';
import { createPostgresMessages } from './postgres-messages.js';
import { createPostgresWebhooks } from './postgres-webhooks.js';
import { migratePostgres } from './postgres-migrations.js';
import { createPostgresPrivacy } from './postgres-privacy.js';
import { createPostgresProjects } from './postgres-projects.js';
import { createPostgresGroupCommit } from './postgres-group-commit.js';
import { createPostgresRepositories, RetryUnitOfWork, type IdentityLocking } from './postgres-repositories.js';
import { createPostgresSendLookup } from './postgres-send-lookup.js';
import { PERSON_AND_ALIASES } from './postgres-rows.js';
import { inTransaction, NUMBER_TYPES, one, rows } from './postgres-sql.js';
import { createPostgresSuppressionRules } from './postgres-suppression-rules.js';
import { createPostgresTeam } from './postgres-team.js';
import { createPostgresTraits } from './postgres-traits.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Run everything in this schema (created if missing) instead of the connection's default; tests give each file its own. */
  schema?: string;
  /** Decides when rotated keys expire, when people are erased, and when caches end. */
  clock?: Clock;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Write concurrent ingest units in shared transactions (default true; false: one transaction per unit, to compare). */
  groupCommit?: boolean;
}

/**
 * A unit of work that lost a race runs again from the start, up to this many times: an identity
 * lock held elsewhere, an event another collector stored meanwhile (both RetryUnitOfWork), a
 * deadlock (40P01) or a serialization failure (40001). The domain's work reads everything it decides
 * on through the transaction, so a second run decides again on what is committed now.
 */
const MAX_ATTEMPTS = 8;
const retryable = (error: unknown): boolean => {
  if (error instanceof RetryUnitOfWork) return true;
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
};

/**
 * The store for several collectors over one PostgreSQL: the same repositories and reads as the
 * SQLite store (the SQL kept alike, file for file), a `pg` pool, versioned migrations of its own
 * (postgres-migrations.ts). `synchronous_commit` is left on, PostgreSQL's default, and set per
 * connection so a server configured otherwise does not silently weaken it: a 200 means committed
 * and flushed. See ARCHITECTURE.md and docs/SCALING.md.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const clock = options.clock ?? systemClock;
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`The PostgreSQL schema must be a plain lower-case identifier (a–z, digits, _), not "${options.schema}".`);
  }
  // Per connection, as startup parameters rather than a SET in the pool's connect event: they
  // hold from the connection's first query on, and cost no extra round trip.
  const settings = [...(options.schema ? [`-c search_path=${options.schema}`] : []), '-c synchronous_commit=on'].join(' ');
  const connection: pg.ClientConfig = { connectionString: options.url, types: NUMBER_TYPES, options: settings };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // The caches a unit of work may fill while it holds a connection (webhook subscriptions, live
  // automations, suppression rules) read on a pool of their own. On `pool` they would wait for a
  // connection the units hold: with every connection taken by a unit that waits for one more,
  // the collector hangs for good. Their reads are single statements, held for no other wait.
  const cacheReads = new pg.Pool({ ...connection, max: 2 });
  // An idle connection the server closed (restart, failover) must not crash the process; the
  // pool drops it and the next query opens a new one.
  for (const each of [pool, cacheReads]) each.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
  let feed: ChangeFeed;
  try {
    await migratePostgres(pool, options.schema ?? null, clock.now());
    feed = await openChangeFeed(connection, pool);
  } catch (error) {
    await Promise.all([pool.end(), cacheReads.end()]);
    throw error;
  }

  const messages = createPostgresMessages(pool, clock, feed);
  const projects = createPostgresProjects(pool, clock, feed);
  const privacy = createPostgresPrivacy(pool, clock);
  const team = createPostgresTeam(pool);
  const suppressionRules = createPostgresSuppressionRules(pool, clock, feed, cacheReads);
  // Audiences (issue 11; ARCHITECTURE.md "Audiences"): the domain re-evaluates kept membership
  // through the repositories of postgres-audience-rows.ts, in the transaction of the write that
  // changed the person; the compiled trees are cached per collector, dropped through the feed.
  const catalog = createSegmentCatalog();
  const hasSegments = (projectId: string): boolean => !catalog.knownEmpty(projectId);
  // A transition starts the automations that trigger on it and queues the webhooks subscribed to
  // it, on the client of the transaction that wrote it (the tap and the webhooks are below).
  const webhooks = createPostgresWebhooks(pool, cacheReads);
  const transitionSubscriptions = sharedWebhookSubscriptions(webhooks, clock);
  const onTransition: TransitionHook = async (client, projectId, personId, name, properties, messageId, at) => {
    await automationTap.timelineEvent(tapUnit(client), projectId, personId, name, properties, messageId, at);
    await queueTransitionWebhooks(transitionSubscriptions, createPostgresJobQueue(client), { projectId, personId, name, properties, messageId, at });
  };
  const audienceUnit = createPostgresAudienceUnit(pool, catalog, clock, onTransition);
  const segments = createPostgresSegments(pool, clock, catalog, audienceUnit, feed);
  const contacts = createPostgresContacts();
  const traits = createPostgresTraits(audienceUnit);
  let closed = false;

  /** Follows a merged person's id to the person that absorbed it. */
  const resolveId = async (projectId: string, personId: string): Promise<string> =>
    (await one<{ person_id: string }>(pool, 'SELECT person_id FROM person_aliases WHERE project_id = $1 AND alias_id = $2', [projectId, personId]))?.person_id ?? personId;

  const detail = async (projectId: string, personId: string): Promise<PersonDetail | null> => {
    const row = await one<PersonRow & { geo: string | null }>(pool, `SELECT ${PERSON_COLUMNS}, geo FROM people WHERE project_id = $1 AND id = $2`, [projectId, await resolveId(projectId, personId)]);
    if (!row) return null;
    const [counts, identities, companies, mergedFrom] = await Promise.all([
      one<PersonDetail['counts']>(pool, `SELECT count(*) AS events,
          coalesce(sum(CASE WHEN type IN ('page', 'screen') THEN 1 ELSE 0 END), 0) AS "pageViews",
          coalesce(sum(CASE WHEN type = 'track' THEN 1 ELSE 0 END), 0) AS tracks,
          coalesce(sum(CASE WHEN type = 'identify' THEN 1 ELSE 0 END), 0) AS identifies
        FROM events WHERE person_id ${PERSON_AND_ALIASES}`, { id: row.id }),
      rows<{ type: IdentityType; value: string; created_at: number }>(pool, 'SELECT type, value, created_at FROM identities WHERE person_id = $1 ORDER BY created_at, type', [row.id]),
      rows<CompanyRow>(pool, `SELECT c.id, c.traits, c.created_at, c.updated_at FROM company_members m
        JOIN companies c ON c.project_id = m.project_id AND c.id = m.company_id WHERE m.person_id = $1 ORDER BY c.id`, [row.id]),
      rows<{ alias_id: string }>(pool, 'SELECT alias_id FROM person_aliases WHERE person_id = $1', [row.id]),
    ]);
    return {
      ...toPersonSummary(row),
      identities: identities.map((identity) => ({ type: identity.type, value: identity.value, createdAt: iso(identity.created_at) })),
      companies: companies.map(toCompanySummary),
      counts: counts!,
      mergedFrom: mergedFrom.map((alias) => alias.alias_id),
      location: row.geo ? (JSON.parse(row.geo) as PersonDetail['location']) : null,
    };
  };

  // Automations (issue 12): list additions and segment transitions (onTransition above) queue
  // their triggers' entry jobs on the client of the transaction that wrote them, as SQLite's tap does.
  const automations = createPostgresAutomations(pool, clock, feed, cacheReads);
  const automationTap = createAsyncAutomationTap();
  const tapUnit = (client: pg.PoolClient): TapUnit => ({ jobs: createPostgresJobQueue(client), live: (projectId) => automations.liveOn(client, projectId) });

  /** One ingest unit on `client`, inside a transaction someone else began and commits. */
  const unit = async <T>(client: pg.PoolClient, work: (tx: IngestTx) => Promise<T>, locking: IdentityLocking): Promise<T> => {
    const tx = createPostgresRepositories(client, locking);
    await tx.lockFirst();
    // Each stored event bumps its person's daily counts; what the unit changed is marked and
    // re-evaluated at its end, once its events are written, in the same transaction
    // (audiences/track-ingest-changes.ts), as on SQLite. Per unit, also inside a group.
    const audience = createPostgresAudienceRows(client, onTransition);
    const changed = createChangedPeople();
    const result = await work(trackIngestChanges(tx, audience, changed, hasSegments));
    await tx.flush();
    await finishAudienceWork(changed, audience, catalog, clock);
    return result;
  };

  /** One unit in its own transaction on its own pooled connection, run again while it loses races. */
  const alone = async <T>(work: (tx: IngestTx) => Promise<T>): Promise<T> => {
    let lockFirst: readonly string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        // The last attempts wait for every lock, leaving deadlocks to PostgreSQL's detector,
        // so a unit that keeps meeting new contention still ends.
        return await inTransaction(pool, (client) => unit(client, work, { lockFirst, alwaysWait: attempt > MAX_ATTEMPTS - 2 }));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !retryable(error)) throw error;
        if (error instanceof RetryUnitOfWork) lockFirst = [...new Set([...lockFirst, ...error.lockFirst])];
      }
    }
  };

  // Units that queue while the writers are busy share a transaction and its COMMIT
  // (postgres-group-commit.ts); a few connections stay free for reads and the other stores.
  const poolSize = options.poolSize ?? 10;
  const groupCommit = options.groupCommit === false ? null : createPostgresGroupCommit(pool, Math.max(1, poolSize - 3));

  const store: Store = {
    lists: createPostgresLists(pool, audienceUnit, (client, projectId, personIds, listId, at) => automationTap.listAdded(tapUnit(client), projectId, personIds, listId, at)),
    companies: createPostgresCompanies(pool, contacts, audienceUnit),
    segments: segments.store,
    imports: createPostgresImports(pool, contacts, clock, audienceUnit),
    automations,
    emails: createPostgresEmails(pool),
    emailTemplates: createPostgresEmailTemplates(pool),
    emailSends: createPostgresSendLookup(pool),
    chains: createPostgresChains(pool),
    hookSources: createPostgresHookSources(pool),
    ensureDefaultProject: (keys) => projects.ensureDefaultProject(keys),
    findProjectByWriteKey: (writeKey) => projects.findByWriteKey(writeKey),
    findProjectBySecretKey: (secretKey) => projects.findBySecretKey(secretKey),
    findProjectById: (projectId) => projects.findById(projectId),
    updateProjectSettings: (projectId, patch) => projects.updateSettings(projectId, patch),
    rotateKey: (projectId, kind, graceMs) => projects.rotateKey(projectId, kind, graceMs),

    transact(weight, work) {
      return groupCommit ? groupCommit.run(weight, (client, first) => unit(client, work, { lockFirst: [], alwaysWait: false, neverWait: !first }), () => alone(work)) : alone(work);
    },

    async listPeople(projectId, query) {
      const where = ['project_id = @project'];
      const params: Record<string, unknown> = { project: projectId, limit: query.limit + 1 };
      if (query.kind) {
        where.push('kind = @kind');
        params.kind = query.kind;
      }
      if (query.search) {
        params.like = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(`(lower(email) LIKE @like ESCAPE '\\' OR lower(user_id) LIKE @like ESCAPE '\\'
          OR lower(traits::jsonb ->> 'name') LIKE @like ESCAPE '\\')`);
      }
      if (query.trait) {
        // As SQLite's CAST(json_extract(…) AS TEXT): the value as text, strings without quotes.
        where.push("(traits::jsonb -> @traitKey::text) #>> '{}' = @traitValue::text");
        params.traitKey = query.trait.key.replace(/"/g, '');
        params.traitValue = query.trait.value;
      }
      const [beforeSeen, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      if (beforeSeen !== null && beforeId !== null) {
        where.push('(last_seen_at < @beforeSeen OR (last_seen_at = @beforeSeen AND id < @beforeId))');
        params.beforeSeen = beforeSeen;
        params.beforeId = beforeId;
      }
      const found = await rows<PersonRow>(pool, `SELECT ${PERSON_COLUMNS} FROM people WHERE ${where.join(' AND ')} ORDER BY last_seen_at DESC, id DESC LIMIT @limit`, params);
      return toPage(found, query.limit, toPersonSummary, (row) => [row.last_seen_at, row.id]);
    },

    getPerson: (projectId, personId) => detail(projectId, personId),

    async lookupPerson(projectId, lookup) {
      const [type, value] =
        'userId' in lookup ? ['user', lookup.userId] : 'anonymousId' in lookup ? ['anonymous', lookup.anonymousId] : ['email', lookup.email];
      const row = await one<{ person_id: string }>(pool, 'SELECT person_id FROM identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value]);
      return row ? detail(projectId, row.person_id) : null;
    },

    async listActivity(projectId, personId, query) {
      const before = cursorKey(query.cursor, ['number', 'number']);
      const id = await resolveId(projectId, personId);
      if (!(await one(pool, 'SELECT 1 AS found FROM people WHERE project_id = $1 AND id = $2', [projectId, id]))) return { items: [], nextCursor: null };
      const found = await rows<EventRow>(pool, `SELECT ${EVENT_COLUMNS} FROM events WHERE person_id ${PERSON_AND_ALIASES}
          AND (@beforeTs::bigint IS NULL OR timestamp < @beforeTs OR (timestamp = @beforeTs AND seq < @beforeSeq::bigint))
        ORDER BY timestamp DESC, seq DESC LIMIT @limit`, { id, beforeTs: before[0], beforeSeq: before[1], limit: query.limit + 1 });
      return toPage(found, query.limit, toActivityItem, (row) => [row.timestamp, row.seq]);
    },

    async getCompany(projectId, companyId) {
      const row = await one<CompanyRow>(pool, 'SELECT id, traits, created_at, updated_at FROM companies WHERE project_id = $1 AND id = $2', [projectId, companyId]);
      if (!row) return null;
      const people = await rows<PersonRow>(pool, `SELECT ${PERSON_COLUMNS.split(', ').map((column) => `p.${column}`).join(', ')}
        FROM company_members m JOIN people p ON p.id = m.person_id
        WHERE m.project_id = $1 AND m.company_id = $2 ORDER BY p.last_seen_at DESC LIMIT 1000`, [projectId, companyId]);
      return { ...toCompanySummary(row), createdAt: iso(row.created_at), updatedAt: iso(row.updated_at), people: people.map(toPersonSummary) };
    },

    async patchPersonTraits(projectId, personId, changes, at) {
      const id = await resolveId(projectId, personId);
      return (await traits.patch(projectId, id, changes, at)) ? detail(projectId, id) : null;
    },

    async exportPerson(projectId, personId) {
      const person = await detail(projectId, personId);
      return person ? privacy.exportPerson(projectId, person) : null;
    },

    async erasePerson(projectId, personId) {
      const person = await detail(projectId, personId);
      return person ? privacy.erasePerson(projectId, person.id) : null;
    },

    listErasedIdentities: (projectId, query) => privacy.listErased(projectId, query),
    liftErasure: (projectId, type, value) => privacy.lift(projectId, type, value),

    messages,
    team,
    jobs: createPostgresJobs(pool),
    webhooks,
    suppressionRules,

    async projectTotals(projectId) {
      return (await one<ProjectTotals>(pool, `SELECT
        (SELECT count(*) FROM people WHERE project_id = $1) AS people,
        (SELECT count(*) FROM identities WHERE project_id = $1) AS identities,
        (SELECT count(*) FROM events WHERE project_id = $1) AS events,
        (SELECT count(*) FROM deliveries WHERE project_id = $1) AS deliveries`, [projectId]))!;
    },

    async ping() {
      if (closed) return false;
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await segments.close();
      await feed.close();
      // Waits for checked-out clients (units in flight) to be released, then closes them all.
      await Promise.all([pool.end(), cacheReads.end()]);
    },
  };
  return store;
}
