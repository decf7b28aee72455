import { randomUUID } from 'node:crypto';
import { MESSAGE_EVENTS, type Message, type MessageAnswer, type MessageKind, type Suppression } from '@hark/protocol';
import type { Database, Statement } from 'better-sqlite3';
import type { DeliveryStats } from '../../messages/conditions.js';
import { deliveryIdFor } from '../../messages/delivery-id.js';
import type { MessageRecord } from '../../messages/message-schema.js';
import { decodeCursor, InvalidCursorError, toPage } from '../cursor.js';
import type { EligibilityFacts, FactsQuery, MessageCounts, MessageStore, TimeRange } from '../message-store.js';
import type { NormalizedEvent, Page, PersonKind } from '../types.js';
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
const MAX_ANSWER_TEXT = 2000;

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

const instant = (value: string | null): number | null => (value === null ? null : Date.parse(value));

/** The sort key a page cursor carries, or nulls for the first page; a cursor not given out here is a 400. */
function cursorKey(cursor: string | null, shape: readonly ['string' | 'number', 'string' | 'number']): [string | number | null, string | number | null] {
  if (!cursor) return [null, null];
  const key = decodeCursor(cursor, shape);
  if (!key) throw new InvalidCursorError();
  return [key[0]!, key[1]!];
}

const INTERACTIONS: ReadonlySet<string> = new Set(Object.values(MESSAGE_EVENTS));

export interface SqliteMessages {
  store: MessageStore;
  /**
   * Applies one stored event to deliveries when it is a message interaction. Called by the
   * ingest inside its transaction, right after the event row is written (and only then: a
   * duplicate never counts twice).
   */
  recordInteraction(projectId: string, personId: string, event: NormalizedEvent): void;
}

export function createSqliteMessages(db: Database): SqliteMessages {
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
    messageKind: s('SELECT kind FROM messages WHERE project_id = ? AND id = ?').pluck(),

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

    deliveryOwner: s(`SELECT d.project_id, d.message_id, coalesce(a.person_id, d.person_id) AS owner
      FROM deliveries d LEFT JOIN person_aliases a ON a.alias_id = d.person_id WHERE d.id = ?`),
    latestDelivery: s(`SELECT id FROM deliveries WHERE project_id = @project AND message_id = @message
      AND person_id IN ${PERSON_AND_ALIASES} ORDER BY created_at DESC, id DESC LIMIT 1`).pluck(),
    deliveryCount: s(`SELECT count(*) FROM deliveries WHERE project_id = @project AND message_id = @message
      AND person_id IN ${PERSON_AND_ALIASES}`).pluck(),
    insertDelivery: s(`INSERT INTO deliveries (id, project_id, message_id, person_id, created_at) VALUES (?, ?, ?, ?, ?)`),
    shown: s(`UPDATE deliveries SET shown_count = shown_count + 1, shown_at = min(coalesce(shown_at, @at), @at),
      last_shown_at = max(coalesce(last_shown_at, @at), @at) WHERE id = @id`),
    clicked: s('UPDATE deliveries SET clicked_at = min(coalesce(clicked_at, @at), @at) WHERE id = @id'),
    dismissed: s('UPDATE deliveries SET dismissed_at = min(coalesce(dismissed_at, @at), @at) WHERE id = @id'),
    answered: s(`UPDATE deliveries SET answered_at = min(coalesce(answered_at, @at), @at),
      value = coalesce(@value, value), answer_text = coalesce(@text, answer_text) WHERE id = @id`),

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

  /** Live messages per project. SQLite has one writer (this process), so dropping on write is exact. */
  const liveCache = new Map<string, readonly Message[]>();
  /** One prepared statement per shape of events rule list. */
  const countStatements = new Map<number, Statement>();

  const countEvents = (personId: string, rules: FactsQuery['eventRules']): number[] => {
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
    startsAt: instant(message.conditions.schedule?.startsAt ?? null),
    endsAt: instant(message.conditions.schedule?.endsAt ?? null),
    now,
  });

  const rangeParams = (range: TimeRange) => ({ from: range.from ?? -8.64e15, to: range.to ?? 8.64e15 });

  const store: MessageStore = {
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

    async eligibilityFacts(projectId, query): Promise<EligibilityFacts> {
      // The user id wins: once identify has been stored, that person holds the whole history.
      let row: PersonFactsRow | undefined;
      let userIdIgnored = false;
      const byUser = query.userId ? (q.identity.get(projectId, 'user', query.userId) as string | undefined) : undefined;
      if (byUser) {
        row = q.person.get(byUser) as PersonFactsRow | undefined;
        if (row?.verified === 1 && !query.userVerified) {
          row = undefined;
          userIdIgnored = true;
        }
      }
      if (!row && query.anonymousId) {
        const byAnonymous = q.identity.get(projectId, 'anonymous', query.anonymousId) as string | undefined;
        if (byAnonymous) row = q.person.get(byAnonymous) as PersonFactsRow | undefined;
      }
      const person = row
        ? { id: row.id, kind: row.kind, userId: row.user_id, email: row.email, traits: JSON.parse(row.traits) as Record<string, unknown> }
        : null;

      const suppressed = q.suppressed.get({ project: projectId, userA: userIdIgnored ? null : query.userId, userB: person?.userId ?? null, email: person?.email ?? null }) === 1;

      const deliveries = new Map<string, DeliveryStats>();
      let eventCounts = query.eventRules.map(() => 0);
      if (person) {
        eventCounts = countEvents(person.id, query.eventRules);
        for (const stat of q.stats.all({ project: projectId, id: person.id }) as StatsRow[]) {
          deliveries.set(stat.message_id, {
            shows: stat.shows,
            lastShownAt: stat.last_shown_at,
            answered: stat.answered === 1,
            deliveries: stat.deliveries,
          });
        }
      }
      return { person, userIdIgnored, suppressed, eventCounts, deliveries };
    },

    async results(projectId, messageId, range): Promise<MessageCounts> {
      const row = q.counts.get({ project: projectId, message: messageId, ...rangeParams(range) }) as Record<string, number>;
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
        ...rangeParams(range),
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

  /** A delivery id the event may write to: the one it names, or (without one) one this person owns. */
  const deliveryFor = (projectId: string, personId: string, messageId: string, event: NormalizedEvent): string | null => {
    const named = event.properties.deliveryId;
    if (typeof named === 'string' && named.length > 0 && named.length <= 128) {
      const row = q.deliveryOwner.get(named) as { project_id: string; message_id: string; owner: string } | undefined;
      if (!row) {
        q.insertDelivery.run(named, projectId, messageId, personId, event.timestamp);
        return named;
      }
      // Someone else's delivery (or another message's): refuse rather than move it.
      return row.project_id === projectId && row.message_id === messageId && row.owner === personId ? named : null;
    }
    // Senders without delivery ids (server-side libraries): a showing opens a new occasion,
    // anything else lands on the latest one.
    const scope = { project: projectId, message: messageId, id: personId };
    if (event.name !== MESSAGE_EVENTS.shown) {
      const latest = q.latestDelivery.get(scope) as string | undefined;
      if (latest) return latest;
    }
    const id = deliveryIdFor(projectId, messageId, personId, q.deliveryCount.get(scope) as number);
    if (q.deliveryOwner.get(id)) return id;
    q.insertDelivery.run(id, projectId, messageId, personId, event.timestamp);
    return id;
  };

  const recordInteraction = (projectId: string, personId: string, event: NormalizedEvent): void => {
    if (event.type !== 'track' || event.name === null || !INTERACTIONS.has(event.name)) return;
    const messageId = event.properties.messageId;
    if (typeof messageId !== 'string') return;
    const kind = q.messageKind.get(projectId, messageId) as MessageKind | undefined;
    if (!kind) return;

    let answer: { value: number | null; text: string | null } | null = null;
    if (event.name === MESSAGE_EVENTS.answered) {
      answer = readAnswer(kind, event.properties);
      if (!answer) return;
    }
    const id = deliveryFor(projectId, personId, messageId, event);
    if (!id) return;
    const at = event.timestamp;
    if (event.name === MESSAGE_EVENTS.shown) q.shown.run({ id, at });
    else if (event.name === MESSAGE_EVENTS.clicked) q.clicked.run({ id, at });
    else if (event.name === MESSAGE_EVENTS.dismissed) q.dismissed.run({ id, at });
    else q.answered.run({ id, at, value: answer!.value, text: answer!.text });
  };

  return { store, recordInteraction };
}

const clip = (value: unknown): string | null => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, MAX_ANSWER_TEXT) : null;
};

/**
 * What an answer event says, read by the message's kind: a survey's `value` is a grade 1–5
 * (its follow-up in `text`), an input's `value` is the text typed. An answer with nothing usable
 * in it is ignored rather than counted as answered.
 */
function readAnswer(kind: MessageKind, properties: Record<string, unknown>): { value: number | null; text: string | null } | null {
  if (kind === 'survey') {
    const grade = typeof properties.value === 'string' && properties.value.trim() !== '' ? Number(properties.value) : properties.value;
    const value = typeof grade === 'number' && Number.isInteger(grade) && grade >= 1 && grade <= 5 ? grade : null;
    const text = clip(properties.text);
    return value === null && text === null ? null : { value, text };
  }
  if (kind === 'input') {
    const text = clip(properties.value) ?? clip(properties.email);
    return text === null ? null : { value: null, text };
  }
  const value = typeof properties.value === 'number' && Number.isFinite(properties.value) ? properties.value : null;
  return { value, text: value === null ? clip(properties.value) : null };
}
