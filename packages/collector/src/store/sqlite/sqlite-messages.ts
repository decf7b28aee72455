import { randomUUID } from 'node:crypto';
import type { Message, MessageAnswer, MessageKind, Suppression } from '@hark/protocol';
import type { Database, Statement } from 'better-sqlite3';
import type { DeliveryStats, EventRule } from '../../messages/conditions.js';
import { readFactsOneByOne } from '../../messages/eligibility-facts.js';
import type { MessageRecord } from '../../messages/message-schema.js';
import { cursorKey, toPage } from '../cursor.js';
import type { FactsPerson, MessageCounts, MessageStore } from '../message-store.js';
import type { Page, PersonKind } from '../types.js';
import { boundedRange, parseInstant } from '../../time.js';
import { iso, PERSON_AND_ALIASES } from './rows.js';

interface MessageRow {
  id: string;
  name: string;
  kind: MessageKind;
  status: Message['status'];
  content: string;
  appearance: string;
  conditions: string;
  priority: number;
  created_at: number;
  updated_at: number;
}

interface PersonFactsRow {
  id: string;
  kind: PersonKind;
  user_id: string | null;
  email: string | null;
  traits: string;
  verified: number;
}

interface StatsRow {
  message_id: string;
  shows: number;
  last_shown_at: number | null;
  answered: number;
  deliveries: number;
}

const MESSAGE_COLUMNS = 'id, name, kind, status, content, appearance, conditions, priority, created_at, updated_at';

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  status: row.status,
  priority: row.priority,
  content: JSON.parse(row.content) as Message['content'],
  appearance: JSON.parse(row.appearance) as Message['appearance'],
  conditions: JSON.parse(row.conditions) as Message['conditions'],
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/**
 * Messages, deliveries as eligibility and results read them, and the suppression list, for the
 * SQLite store. Interaction events are written by the ingest unit of work
 * (messages/record-interaction.ts through sqlite-repositories.ts), not here.
 */
export function createSqliteMessages(db: Database): MessageStore {
  const s = (sql: string): Statement => db.prepare(sql);
  const q = {
    insert: s(`INSERT INTO messages (id, project_id, name, kind, status, content, appearance, conditions, priority, starts_at, ends_at, created_at, updated_at)
      VALUES (@id, @project, @name, @kind, @status, @content, @appearance, @conditions, @priority, @startsAt, @endsAt, @now, @now)`),
    update: s(`UPDATE messages SET name = @name, kind = @kind, status = @status, content = @content, appearance = @appearance,
      conditions = @conditions, priority = @priority, starts_at = @startsAt, ends_at = @endsAt, updated_at = @now
      WHERE project_id = @project AND id = @id`),
    get: s(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = ? AND id = ?`),
    live: s(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = ? AND status = 'live' ORDER BY priority DESC, created_at, rowid`),
    list: s(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = @project AND (@status IS NULL OR status = @status)
        AND (@beforeAt IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    remove: s('DELETE FROM messages WHERE project_id = ? AND id = ?'),
    removeDeliveries: s('DELETE FROM deliveries WHERE project_id = ? AND message_id = ?'),

    identity: s('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    person: s('SELECT id, kind, user_id, email, traits, verified FROM people WHERE id = ?'),
    // Three point lookups on the primary key; an OR across them would scan the project's list.
    suppressed: s(`SELECT EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'userId' AND value = @userA)
      OR EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'userId' AND value = @userB)
      OR EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'email' AND value = @email)`).pluck(),
    stats: s(`SELECT message_id,
        sum(CASE WHEN shown_count > 0 THEN shown_count
                 WHEN clicked_at IS NOT NULL OR dismissed_at IS NOT NULL OR answered_at IS NOT NULL THEN 1 ELSE 0 END) AS shows,
        max(coalesce(last_shown_at, answered_at, clicked_at, dismissed_at)) AS last_shown_at,
        max(answered_at IS NOT NULL) AS answered,
        count(*) AS deliveries
      FROM deliveries WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES} GROUP BY message_id`),

    counts: s(`SELECT
        coalesce(sum(shown_at IS NOT NULL AND shown_at >= @from AND shown_at < @to), 0) AS shown,
        coalesce(sum(clicked_at IS NOT NULL AND clicked_at >= @from AND clicked_at < @to), 0) AS clicked,
        coalesce(sum(dismissed_at IS NOT NULL AND dismissed_at >= @from AND dismissed_at < @to), 0) AS dismissed,
        coalesce(sum(answered_at IS NOT NULL AND answered_at >= @from AND answered_at < @to), 0) AS answered,
        coalesce(sum(value = 1 AND answered_at >= @from AND answered_at < @to), 0) AS g1,
        coalesce(sum(value = 2 AND answered_at >= @from AND answered_at < @to), 0) AS g2,
        coalesce(sum(value = 3 AND answered_at >= @from AND answered_at < @to), 0) AS g3,
        coalesce(sum(value = 4 AND answered_at >= @from AND answered_at < @to), 0) AS g4,
        coalesce(sum(value = 5 AND answered_at >= @from AND answered_at < @to), 0) AS g5
      FROM deliveries WHERE message_id = @message AND project_id = @project`),
    answers: s(`SELECT d.id, d.value, d.answer_text, d.answered_at, coalesce(a.person_id, d.person_id) AS person_id,
        p.email, p.user_id, p.traits
      FROM deliveries d
        LEFT JOIN person_aliases a ON a.alias_id = d.person_id
        LEFT JOIN people p ON p.id = coalesce(a.person_id, d.person_id)
      WHERE d.message_id = @message AND d.project_id = @project AND d.answered_at IS NOT NULL
        AND d.answered_at >= @from AND d.answered_at < @to
        AND (d.value IS NOT NULL OR d.answer_text IS NOT NULL)
        AND (@beforeAt IS NULL OR d.answered_at < @beforeAt OR (d.answered_at = @beforeAt AND d.id < @beforeId))
      ORDER BY d.answered_at DESC, d.id DESC LIMIT @limit`),

    addSuppression: s(`INSERT INTO message_suppressions (project_id, type, value, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT DO NOTHING`),
    removeSuppression: s('DELETE FROM message_suppressions WHERE project_id = ? AND type = ? AND value = ?'),
    suppressions: s(`SELECT type, value, created_at FROM message_suppressions WHERE project_id = @project
      AND (@type IS NULL OR type = @type)
      AND (@afterType IS NULL OR type > @afterType OR (type = @afterType AND value > @afterValue))
      ORDER BY type, value LIMIT @limit`),
  };

  /**
   * Live messages per project. SQLite has one writer (this process), so dropping the entry on
   * every write below is exact. A store shared by several collectors (PostgreSQL) cannot rely on
   * that: see ARCHITECTURE.md, "Caches and several collectors".
   */
  const liveCache = new Map<string, readonly Message[]>();
  /** One prepared statement per shape of events rule list. */
  const countStatements = new Map<number, Statement>();

  const countEvents = (personId: string, rules: readonly EventRule[]): number[] => {
    if (rules.length === 0) return [];
    let statement = countStatements.get(rules.length);
    if (!statement) {
      const sums = rules.map((_, i) => `coalesce(sum(name = @n${i} AND timestamp >= @s${i}), 0)`).join(', ');
      const names = rules.map((_, i) => `@n${i}`).join(', ');
      // `type = 'track'` lets SQLite use the partial index events_track_by_person.
      statement = db.prepare(`SELECT ${sums} FROM events WHERE person_id IN ${PERSON_AND_ALIASES}
        AND type = 'track' AND name IN (${names}) AND timestamp >= @since`).raw();
      countStatements.set(rules.length, statement);
    }
    const params: Record<string, string | number> = { id: personId, since: Math.min(...rules.map((r) => r.since)) };
    rules.forEach((rule, i) => {
      params[`n${i}`] = rule.event;
      params[`s${i}`] = rule.since;
    });
    return (statement.get(params) as number[]).map(Number);
  };

  const rowParams = (projectId: string, id: string, message: MessageRecord, now: number) => ({
    id,
    project: projectId,
    name: message.name,
    kind: message.kind,
    status: message.status,
    content: JSON.stringify(message.content),
    appearance: JSON.stringify(message.appearance),
    conditions: JSON.stringify(message.conditions),
    priority: message.priority,
    startsAt: parseInstant(message.conditions.schedule?.startsAt),
    endsAt: parseInstant(message.conditions.schedule?.endsAt),
    now,
  });

  return {
    async create(projectId, message, now) {
      const id = randomUUID();
      q.insert.run(rowParams(projectId, id, message, now));
      liveCache.delete(projectId);
      return toMessage(q.get.get(projectId, id) as MessageRow);
    },

    async get(projectId, messageId) {
      const row = q.get.get(projectId, messageId) as MessageRow | undefined;
      return row ? toMessage(row) : null;
    },

    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.list.all({ project: projectId, status: query.status ?? null, beforeAt, beforeId, limit: query.limit + 1 }) as MessageRow[];
      return toPage(rows, query.limit, toMessage, (row) => [row.created_at, row.id]);
    },

    async replace(projectId, messageId, message, now) {
      const changed = q.update.run(rowParams(projectId, messageId, message, now)).changes;
      liveCache.delete(projectId);
      return changed ? toMessage(q.get.get(projectId, messageId) as MessageRow) : null;
    },

    async remove(projectId, messageId) {
      const removed = db.transaction(() => {
        q.removeDeliveries.run(projectId, messageId);
        return q.remove.run(projectId, messageId).changes > 0;
      })();
      liveCache.delete(projectId);
      return removed;
    },

    async live(projectId) {
      let live = liveCache.get(projectId);
      if (!live) {
        live = Object.freeze((q.live.all(projectId) as MessageRow[]).map(toMessage));
        liveCache.set(projectId, live);
      }
      return live;
    },

    // Each read is a function call here, so the answer is simply the four reads in turn.
    async eligibilityFacts(projectId, query) {
      return readFactsOneByOne(this, projectId, query);
    },

    async person(projectId, type, value): Promise<FactsPerson | null> {
      const personId = q.identity.get(projectId, type, value) as string | undefined;
      const row = personId ? (q.person.get(personId) as PersonFactsRow | undefined) : undefined;
      return row
        ? { id: row.id, kind: row.kind, userId: row.user_id, email: row.email, traits: JSON.parse(row.traits) as Record<string, unknown>, verified: row.verified === 1 }
        : null;
    },

    async isSuppressed(projectId, { userIds, email }) {
      return q.suppressed.get({ project: projectId, userA: userIds[0] ?? null, userB: userIds[1] ?? null, email }) === 1;
    },

    async countEvents(personId, rules) {
      return countEvents(personId, rules);
    },

    async deliveryStats(projectId, personId) {
      const deliveries = new Map<string, DeliveryStats>();
      for (const stat of q.stats.all({ project: projectId, id: personId }) as StatsRow[]) {
        deliveries.set(stat.message_id, { shows: stat.shows, lastShownAt: stat.last_shown_at, answered: stat.answered === 1, deliveries: stat.deliveries });
      }
      return deliveries;
    },

    async results(projectId, messageId, range): Promise<MessageCounts> {
      const row = q.counts.get({ project: projectId, message: messageId, ...boundedRange(range) }) as Record<string, number>;
      return {
        shown: row.shown!,
        clicked: row.clicked!,
        dismissed: row.dismissed!,
        answered: row.answered!,
        grades: [row.g1!, row.g2!, row.g3!, row.g4!, row.g5!],
      };
    },

    async answers(projectId, messageId, range, page): Promise<Page<MessageAnswer>> {
      const [beforeAt, beforeId] = cursorKey(page.cursor, ['number', 'string']);
      const rows = q.answers.all({
        project: projectId,
        message: messageId,
        ...boundedRange(range),
        beforeAt,
        beforeId,
        limit: page.limit + 1,
      }) as {
        id: string;
        value: number | null;
        answer_text: string | null;
        answered_at: number;
        person_id: string;
        email: string | null;
        user_id: string | null;
        traits: string | null;
      }[];
      return toPage(
        rows,
        page.limit,
        (row) => {
          const traits = row.traits ? (JSON.parse(row.traits) as Record<string, unknown>) : {};
          return {
            deliveryId: row.id,
            person: { id: row.person_id, email: row.email, name: typeof traits.name === 'string' ? traits.name : null, userId: row.user_id },
            value: row.value,
            text: row.answer_text,
            answeredAt: iso(row.answered_at),
          };
        },
        (row) => [row.answered_at, row.id],
      );
    },

    async listSuppressions(projectId, query): Promise<Page<Suppression>> {
      const [afterType, afterValue] = cursorKey(query.cursor, ['string', 'string']);
      const rows = q.suppressions.all({ project: projectId, type: query.type ?? null, afterType, afterValue, limit: query.limit + 1 }) as {
        type: Suppression['type'];
        value: string;
        created_at: number;
      }[];
      return toPage(rows, query.limit, (row) => ({ type: row.type, value: row.value, createdAt: iso(row.created_at) }), (row) => [row.type, row.value]);
    },

    async addSuppressions(projectId, entries, now) {
      return db.transaction(() => entries.reduce((added, entry) => added + q.addSuppression.run(projectId, entry.type, entry.value, now).changes, 0))();
    },

    async removeSuppression(projectId, entry) {
      return q.removeSuppression.run(projectId, entry.type, entry.value).changes > 0;
    },
  };
}
