import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../cursor.js';
import type { Store } from '../store.js';
import type {
  ActivityItem,
  CompanyDetail,
  IngestOutcome,
  NormalizedEvent,
  Page,
  PageQuery,
  PeopleQuery,
  PersonDetail,
  PersonLookup,
  PersonSummary,
  Project,
} from '../types.js';
import { migrate } from './migrations.js';
import { iso, toActivityItem, toCompanySummary, toPersonSummary, type CompanyRow, type EventRow, type PersonRow } from './rows.js';
import { SqliteIngest } from './sqlite-ingest.js';
import { createSqliteMessages } from './sqlite-messages.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for throwaway tests. */
  path: string;
  /**
   * `full` (default) fsyncs the WAL on every commit, so an acknowledged event survives power
   * loss; `normal` survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'full' | 'normal';
}

interface ProjectRow {
  id: string;
  name: string;
  write_key: string;
  secret_key: string;
  created_at: number;
}

const PERSON_COLUMNS = 'id, kind, user_id, email, traits, traits_at, created_at, last_seen_at';

/** Keys are random, prefixed so a leaked one is easy to recognise in logs and secret scanners. */
export const newWriteKey = (): string => `hk_w_${randomBytes(18).toString('base64url')}`;
export const newSecretKey = (): string => `hk_s_${randomBytes(24).toString('base64url')}`;
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The embedded default store: one SQLite file in WAL mode, prepared statements, versioned
 * migrations. See ARCHITECTURE.md for why these pragmas.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const messages = createSqliteMessages(db);
  const writer = new SqliteIngest(db, messages.recordInteraction);
  const toProject = (row: ProjectRow | undefined): Project | null =>
    row ? { id: row.id, name: row.name, writeKey: row.write_key, secretKey: row.secret_key, createdAt: row.created_at } : null;

  const q = {
    defaultProject: db.prepare('SELECT id, name, write_key, secret_key, created_at FROM projects WHERE is_default = 1'),
    projectByWriteKey: db.prepare('SELECT id, name, write_key, secret_key, created_at FROM projects WHERE write_key = ?'),
    projectBySecretHash: db.prepare('SELECT id, name, write_key, secret_key, created_at FROM projects WHERE secret_key_hash = ?'),
    insertProject: db.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, is_default, created_at)
      VALUES (?, ?, ?, ?, ?, 1, ?)`),
    updateProjectKeys: db.prepare('UPDATE projects SET write_key = ?, secret_key = ?, secret_key_hash = ? WHERE id = ?'),
    person: db.prepare(`SELECT ${PERSON_COLUMNS} FROM people WHERE project_id = ? AND id = ?`),
    alias: db.prepare('SELECT person_id FROM person_aliases WHERE project_id = ? AND alias_id = ?').pluck(),
    identityOwner: db.prepare('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    identities: db.prepare('SELECT type, value, created_at FROM identities WHERE person_id = ? ORDER BY created_at, type'),
    mergedFrom: db.prepare('SELECT alias_id FROM person_aliases WHERE person_id = ?').pluck(),
    personCompanies: db.prepare(`SELECT c.id, c.traits, c.created_at, c.updated_at FROM company_members m
      JOIN companies c ON c.project_id = m.project_id AND c.id = m.company_id WHERE m.person_id = ? ORDER BY c.id`),
    counts: db.prepare(`SELECT count(*) AS events,
        coalesce(sum(type IN ('page', 'screen')), 0) AS pageViews,
        coalesce(sum(type = 'track'), 0) AS tracks,
        coalesce(sum(type = 'identify'), 0) AS identifies
      FROM events WHERE person_id IN (SELECT @id UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @id)`),
    activity: db.prepare(`SELECT seq, message_id, type, name, anonymous_id, user_id, properties, traits, context, device, timestamp, received_at
      FROM events WHERE person_id IN (SELECT @id UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @id)
        AND (@beforeTs IS NULL OR timestamp < @beforeTs OR (timestamp = @beforeTs AND seq < @beforeSeq))
      ORDER BY timestamp DESC, seq DESC LIMIT @limit`),
    company: db.prepare('SELECT id, traits, created_at, updated_at FROM companies WHERE project_id = ? AND id = ?'),
    companyPeople: db.prepare(`SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at
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
    };
  };

  const store: Store = {
    async ensureDefaultProject(keys) {
      const existing = toProject(q.defaultProject.get() as ProjectRow | undefined);
      if (existing) {
        // Keys given in the environment win over stored ones, so an operator can pin them.
        const writeKey = keys.writeKey ?? existing.writeKey;
        const secretKey = keys.secretKey ?? existing.secretKey;
        if (writeKey !== existing.writeKey || secretKey !== existing.secretKey) {
          q.updateProjectKeys.run(writeKey, secretKey, sha256(secretKey).toString('hex'), existing.id);
        }
        return { project: { ...existing, writeKey, secretKey }, created: false };
      }
      const project: Project = {
        id: randomUUID(),
        name: 'Default project',
        writeKey: keys.writeKey ?? newWriteKey(),
        secretKey: keys.secretKey ?? newSecretKey(),
        createdAt: Date.now(),
      };
      q.insertProject.run(project.id, project.name, project.writeKey, project.secretKey, sha256(project.secretKey).toString('hex'), project.createdAt);
      return { project, created: true };
    },

    async findProjectByWriteKey(writeKey) {
      return toProject(q.projectByWriteKey.get(writeKey) as ProjectRow | undefined);
    },

    async findProjectBySecretKey(secretKey) {
      // Look up by hash, then compare in constant time, so timing says nothing about the key.
      const digest = sha256(secretKey);
      const project = toProject(q.projectBySecretHash.get(digest.toString('hex')) as ProjectRow | undefined);
      return project && timingSafeEqual(sha256(project.secretKey), digest) ? project : null;
    },

    async ingest(projectId: string, events: NormalizedEvent[]): Promise<IngestOutcome[]> {
      return writer.ingest(projectId, events);
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
      if (query.cursor) {
        const key = decodeCursor(query.cursor, ['number', 'string']);
        if (!key) throw new InvalidCursorError();
        where.push('(last_seen_at < ? OR (last_seen_at = ? AND id < ?))');
        params.push(key[0]!, key[0]!, key[1]!);
      }
      const rows = db
        .prepare(`SELECT ${PERSON_COLUMNS} FROM people WHERE ${where.join(' AND ')} ORDER BY last_seen_at DESC, id DESC LIMIT ?`)
        .all(...params, query.limit + 1) as PersonRow[];
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toPersonSummary), nextCursor: more && last ? encodeCursor([last.last_seen_at, last.id]) : null };
    },

    async getPerson(projectId, personId) {
      return detail(projectId, personId);
    },

    async lookupPerson(projectId: string, lookup: PersonLookup) {
      const [type, value] =
        'userId' in lookup ? ['user', lookup.userId] : 'anonymousId' in lookup ? ['anonymous', lookup.anonymousId] : ['email', lookup.email];
      const personId = q.identityOwner.get(projectId, type, value) as string | undefined;
      return personId ? detail(projectId, personId) : null;
    },

    async listActivity(projectId: string, personId: string, query: PageQuery): Promise<Page<ActivityItem>> {
      let before: [number, number] | [null, null] = [null, null];
      if (query.cursor) {
        const key = decodeCursor(query.cursor, ['number', 'number']);
        if (!key) throw new InvalidCursorError();
        before = [key[0] as number, key[1] as number];
      }
      const id = resolveId(projectId, personId);
      if (!q.person.get(projectId, id)) return { items: [], nextCursor: null };
      const rows = q.activity.all({ id, beforeTs: before[0], beforeSeq: before[1], limit: query.limit + 1 }) as EventRow[];
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toActivityItem), nextCursor: more && last ? encodeCursor([last.timestamp, last.seq]) : null };
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

    messages: messages.store,

    async ping() {
      return db.open;
    },

    async close() {
      if (db.open) db.close();
    },
  };
  return store;
}
