import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../clock.js';
import { cursorKey, toPage } from '../cursor.js';
import type { IngestTx } from '../ports.js';
import type { Store } from '../store.js';
import type {
  ActivityItem,
  CompanyDetail,
  Page,
  PageQuery,
  PeopleQuery,
  PersonDetail,
  PersonLookup,
  PersonSummary,
  IdentityType,
  ProjectTotals,
} from '../types.js';
import { startCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './checkpointer.js';
import { createGroupCommit } from './group-commit.js';
import { migrate } from './migrations.js';
import { EVENT_COLUMNS, iso, PERSON_AND_ALIASES, PERSON_COLUMNS, toActivityItem, toCompanySummary, toPersonSummary, type CompanyRow, type EventRow, type PersonRow } from './rows.js';
import { createSqliteRepositories } from './sqlite-repositories.js';
import { createAutomationTap } from '../../automations/store-tap.js';
import { createSqliteAutomations } from './sqlite-automations.js';
import { createSqliteCompanies } from './sqlite-companies.js';
import { createSqliteContacts } from './sqlite-contacts.js';
import { createSqliteImports } from './sqlite-imports.js';
import { createSqliteJobs, type JobWriteUnit } from './sqlite-jobs.js';
import { createSqliteWebhooks } from './sqlite-webhooks.js';
import { createSqliteEmails } from './sqlite-emails.js';
import { createSqlitePersonGeo } from './sqlite-geo.js';
import { createSqliteChains } from './sqlite-chains.js';
import { createSqliteHookSources } from './sqlite-hook-sources.js';
import { createSqliteLists } from './sqlite-lists.js';
import { createFactsLoader } from './sqlite-person-facts.js';
import { createSqliteEmailTemplates } from './sqlite-email-templates.js';
import { createSqliteSendLookup } from './sqlite-send-lookup.js';
import { createSqliteSegments, type AudienceUnit } from './sqlite-segments.js';
import { createSqliteAudienceRows } from './sqlite-audience-rows.js';
import { queueTransitionWebhooks } from '../../webhooks/queue-transition-webhooks.js';
import { sharedWebhookSubscriptions } from '../../webhooks/webhook-subscriptions.js';
import { createChangedPeople } from '../../audiences/changed-people.js';
import { createSegmentCatalog } from '../../audiences/segment-catalog.js';
import { trackIngestChanges } from '../../audiences/track-ingest-changes.js';
import { createSqliteSuppressionRules } from './sqlite-suppression-rules.js';
import { createSqliteMessages } from './sqlite-messages.js';
import { createSqlitePrivacy } from './sqlite-privacy.js';
import { createSqliteProjects } from './sqlite-projects.js';
import { createSqliteTeam } from './sqlite-team.js';
import { createSqliteTraits } from './sqlite-traits.js';
import { createWalSync } from './wal-sync.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for throwaway tests. */
  path: string;
  /**
   * `full` (default) fsyncs the WAL on every commit, so an acknowledged event survives power
   * loss; `normal` survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'full' | 'normal';
  /** Decides when rotated keys expire and when people are erased. */
  clock?: Clock;
}

/**
 * The embedded default store: one SQLite file in WAL mode, prepared statements, versioned
 * migrations. See ARCHITECTURE.md for why these pragmas.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 16 MiB of page cache (SQLite's default is 2 MB): the indexes a write touches at random places
  // (people, memberships, identities by UUID) then mostly stay in memory instead of being read
  // back from the OS on every commit; an import of 100,000 contacts writes millions of such rows.
  // Not more: the collector's whole resident budget is 150 MB (issue 16, docs/BENCHMARKS.md), and
  // the OS page cache holds the file anyway.
  db.pragma('cache_size = -16384');
  // Deleted rows are zeroed on disk, not just unlinked: erasure and key hashing (sqlite-privacy.ts).
  db.pragma('secure_delete = ON');
  migrate(db);
  // WAL checkpoints run on a worker thread (checkpointer.ts), off the event loop; the writer
  // only checkpoints itself if the worker falls far behind.
  const checkpointer = options.path === ':memory:' ? null : startCheckpointer({ path: options.path, synchronous });
  if (checkpointer) db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);

  const clock = options.clock ?? systemClock;
  const messages = createSqliteMessages(db);
  // Automations (issue 12): segment transitions and list additions are written by the stores
  // themselves, so their triggers are queued here, in the transaction that wrote them.
  const automations = createSqliteAutomations(db);
  // The runner's writes share the group commit below (sqlite-jobs.ts says why); called only
  // once the store is built, so `groupCommit` is there by then.
  const jobWrite: JobWriteUnit = (write) => groupCommit.run(0, async () => write());
  const jobs = createSqliteJobs(db, jobWrite);
  const automationTap = createAutomationTap({ live: automations.liveNow, enqueue: jobs.queue.enqueue });
  const rows: IngestTx = { ...createSqliteRepositories(db), jobs: jobs.queue, runs: automations.runs };
  const personGeo = createSqlitePersonGeo(db);
  // Concurrent requests' batches share one commit (and one fsync); see group-commit.ts. With
  // synchronous FULL that fsync runs on libuv's thread pool, off the event loop (wal-sync.ts).
  const walSync = synchronous === 'FULL' && options.path !== ':memory:' ? createWalSync(`${options.path}-wal`) : null;
  const groupCommit = createGroupCommit(db, walSync ? { syncWal: walSync.sync } : undefined);

  // Audiences (issue 11; ARCHITECTURE.md "Audiences"): the domain re-evaluates kept membership
  // through these repositories, in the transaction of the write that changed the person.
  // A transition starts the automations that trigger on it and queues the webhooks subscribed to
  // it, both in the transaction that wrote it.
  const webhooks = createSqliteWebhooks(db, jobWrite);
  const transitionHooks = sharedWebhookSubscriptions(webhooks, clock);
  const audience = createSqliteAudienceRows(db, createFactsLoader(db), (projectId, personId, name, properties, messageId, at) => {
    automationTap.timelineEvent(projectId, personId, name, properties, messageId, at);
    return queueTransitionWebhooks(transitionHooks, jobs.queue, { projectId, personId, name, properties, messageId, at });
  });
  const catalog = createSegmentCatalog();
  const hasSegments = (projectId: string): boolean => !catalog.knownEmpty(projectId);
  const audienceUnit: AudienceUnit = (weight, work) =>
    groupCommit.run(weight, async () => {
      const changed = createChangedPeople();
      const result = await work(changed, audience);
      if (changed.size) await changed.reevaluate(audience, catalog, clock.now());
      return result;
    });
  const segments = createSqliteSegments(db, clock, audience, catalog, audienceUnit);
  const projects = createSqliteProjects(db, clock);
  const privacy = createSqlitePrivacy(db, clock);
  const team = createSqliteTeam(db);
  const traits = createSqliteTraits(db);
  const lists = createSqliteLists(db, audienceUnit, automationTap.listAdded);
  const suppressionRules = createSqliteSuppressionRules(db);
  const contacts = createSqliteContacts(db);
  const companies = createSqliteCompanies(db, contacts, audienceUnit);
  const imports = createSqliteImports(db, contacts, () => clock.now(), audienceUnit);

  const q = {
    totals: db.prepare(`SELECT
      (SELECT count(*) FROM people WHERE project_id = @p) AS people,
      (SELECT count(*) FROM identities WHERE project_id = @p) AS identities,
      (SELECT count(*) FROM events WHERE project_id = @p) AS events,
      (SELECT count(*) FROM deliveries WHERE project_id = @p) AS deliveries`),
    person: db.prepare(`SELECT ${PERSON_COLUMNS} FROM people WHERE project_id = ? AND id = ?`),
    alias: db.prepare('SELECT person_id FROM person_aliases WHERE project_id = ? AND alias_id = ?').pluck(),
    identities: db.prepare('SELECT type, value, created_at FROM identities WHERE person_id = ? ORDER BY created_at, type'),
    mergedFrom: db.prepare('SELECT alias_id FROM person_aliases WHERE person_id = ?').pluck(),
    personCompanies: db.prepare(`SELECT c.id, c.traits, c.created_at, c.updated_at FROM company_members m
      JOIN companies c ON c.project_id = m.project_id AND c.id = m.company_id WHERE m.person_id = ? ORDER BY c.id`),
    counts: db.prepare(`SELECT count(*) AS events,
        coalesce(sum(type IN ('page', 'screen')), 0) AS pageViews,
        coalesce(sum(type = 'track'), 0) AS tracks,
        coalesce(sum(type = 'identify'), 0) AS identifies
      FROM events WHERE person_id IN ${PERSON_AND_ALIASES}`),
    activity: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE person_id IN ${PERSON_AND_ALIASES}
        AND (@beforeTs IS NULL OR timestamp < @beforeTs OR (timestamp = @beforeTs AND seq < @beforeSeq))
      ORDER BY timestamp DESC, seq DESC LIMIT @limit`),
    company: db.prepare('SELECT id, traits, created_at, updated_at FROM companies WHERE project_id = ? AND id = ?'),
    companyPeople: db.prepare(`SELECT ${PERSON_COLUMNS.split(', ').map((column) => `p.${column}`).join(', ')}
      FROM company_members m JOIN people p ON p.id = m.person_id
      WHERE m.project_id = ? AND m.company_id = ? ORDER BY p.last_seen_at DESC LIMIT 1000`),
  };

  /** Follows a merged person's id to the person that absorbed it. */
  const resolveId = (projectId: string, personId: string): string =>
    (q.alias.get(projectId, personId) as string | undefined) ?? personId;

  const detail = (projectId: string, personId: string): PersonDetail | null => {
    const row = q.person.get(projectId, resolveId(projectId, personId)) as PersonRow | undefined;
    if (!row) return null;
    const counts = q.counts.get({ id: row.id }) as PersonDetail['counts'];
    return {
      ...toPersonSummary(row),
      identities: (q.identities.all(row.id) as { type: PersonDetail['identities'][number]['type']; value: string; created_at: number }[]).map(
        (identity) => ({ type: identity.type, value: identity.value, createdAt: iso(identity.created_at) }),
      ),
      companies: (q.personCompanies.all(row.id) as CompanyRow[]).map(toCompanySummary),
      counts,
      mergedFrom: q.mergedFrom.all(row.id) as string[],
      location: personGeo.location(row.id),
    };
  };

  const store: Store = {
    async ensureDefaultProject(keys) {
      return projects.ensureDefaultProject(keys);
    },

    async findProjectByWriteKey(writeKey) {
      return projects.findByWriteKey(writeKey);
    },

    async findProjectBySecretKey(secretKey) {
      return projects.findBySecretKey(secretKey);
    },

    async findProjectById(projectId) {
      return projects.findById(projectId);
    },

    async updateProjectSettings(projectId, patch) {
      return projects.updateSettings(projectId, patch);
    },

    async rotateKey(projectId, kind, graceMs) {
      return projects.rotateKey(projectId, kind, graceMs);
    },

    async transact(weight, work) {
      // Each stored event bumps its person's daily counts; what the unit changed is marked and
      // re-evaluated at its end, in the same transaction (audiences/track-ingest-changes.ts).
      return audienceUnit(weight, async (changed) => {
        // Loads (and caches) the project's segments once, so `hasSegments` can answer from memory.
        return work(trackIngestChanges(rows, audience, changed, hasSegments));
      });
    },

    async listPeople(projectId: string, query: PeopleQuery): Promise<Page<PersonSummary>> {
      const where = ['project_id = ?'];
      const params: (string | number)[] = [projectId];
      if (query.kind) {
        where.push('kind = ?');
        params.push(query.kind);
      }
      if (query.search) {
        const like = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(`(lower(email) LIKE ? ESCAPE '\\' OR lower(user_id) LIKE ? ESCAPE '\\'
          OR lower(json_extract(traits, '$.name')) LIKE ? ESCAPE '\\')`);
        params.push(like, like, like);
      }
      if (query.trait) {
        where.push('CAST(json_extract(traits, ?) AS TEXT) = ?');
        params.push(`$."${query.trait.key.replace(/"/g, '')}"`, query.trait.value);
      }
      const [beforeSeen, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      if (beforeSeen !== null && beforeId !== null) {
        where.push('(last_seen_at < ? OR (last_seen_at = ? AND id < ?))');
        params.push(beforeSeen, beforeSeen, beforeId);
      }
      const rows = db
        .prepare(`SELECT ${PERSON_COLUMNS} FROM people WHERE ${where.join(' AND ')} ORDER BY last_seen_at DESC, id DESC LIMIT ?`)
        .all(...params, query.limit + 1) as PersonRow[];
      return toPage(rows, query.limit, toPersonSummary, (row) => [row.last_seen_at, row.id]);
    },

    async getPerson(projectId, personId) {
      return detail(projectId, personId);
    },

    async lookupPerson(projectId: string, lookup: PersonLookup) {
      const [type, value] =
        'userId' in lookup ? ['user', lookup.userId] : 'anonymousId' in lookup ? ['anonymous', lookup.anonymousId] : ['email', lookup.email];
      const personId = rows.identities.find(projectId, type as IdentityType, value) as string | null;
      return personId ? detail(projectId, personId) : null;
    },

    async listActivity(projectId: string, personId: string, query: PageQuery): Promise<Page<ActivityItem>> {
      const before = cursorKey(query.cursor, ['number', 'number']);
      const id = resolveId(projectId, personId);
      if (!q.person.get(projectId, id)) return { items: [], nextCursor: null };
      const rows = q.activity.all({ id, beforeTs: before[0], beforeSeq: before[1], limit: query.limit + 1 }) as EventRow[];
      return toPage(rows, query.limit, toActivityItem, (row) => [row.timestamp, row.seq]);
    },

    async getCompany(projectId: string, companyId: string): Promise<CompanyDetail | null> {
      const row = q.company.get(projectId, companyId) as CompanyRow | undefined;
      if (!row) return null;
      return {
        ...toCompanySummary(row),
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        people: (q.companyPeople.all(projectId, companyId) as PersonRow[]).map(toPersonSummary),
      };
    },

    async patchPersonTraits(projectId, personId, changes, at) {
      const id = resolveId(projectId, personId);
      // A console edit re-evaluates the segments that read the keys it changed.
      const patched = await audienceUnit(1, (changed) => {
        const done = traits.patch(projectId, id, changes, at);
        if (done) changed.mark(projectId, id, { traits: Object.keys(changes) });
        return done;
      });
      return patched ? detail(projectId, id) : null;
    },

    async exportPerson(projectId, personId) {
      const person = detail(projectId, personId);
      return person ? privacy.exportPerson(projectId, person) : null;
    },

    async erasePerson(projectId, personId) {
      const person = detail(projectId, personId);
      if (!person) return null;
      segments.forget(projectId, person.id);
      return privacy.erasePerson(projectId, person.id);
    },

    async listErasedIdentities(projectId, query) {
      return privacy.listErased(projectId, query);
    },

    async liftErasure(projectId, type, value) {
      return privacy.lift(projectId, type, value);
    },

    messages,
    team,

    async projectTotals(projectId) {
      return q.totals.get({ p: projectId }) as ProjectTotals;
    },
    lists,
    segments: segments.store,
    suppressionRules,
    emailTemplates: createSqliteEmailTemplates(db),
    emailSends: createSqliteSendLookup(db),
    companies,
    imports,
    automations,
    jobs: jobs.store,
    webhooks,
    emails: createSqliteEmails(db),
    chains: createSqliteChains(db),
    hookSources: createSqliteHookSources(db),

    async ping() {
      return db.open;
    },

    async close() {
      if (db.open) await groupCommit.flush();
      await segments.close();
      await walSync?.close();
      await checkpointer?.stop();
      if (db.open) db.close();
    },
  };
  return store;
}
