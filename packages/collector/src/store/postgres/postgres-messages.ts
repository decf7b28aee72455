import { randomUUID } from 'node:crypto';
import type { Message, MessageAnswer, MessageKind, Suppression } from '@hark/protocol';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import type { DeliveryStats, EventRule } from '../../messages/conditions.js';
import type { MessageRecord } from '../../messages/message-schema.js';
import { boundedRange, parseInstant } from '../../time.js';
import { cursorKey, toPage } from '../cursor.js';
import type { FactsPerson, MessageCounts, MessageStore } from '../message-store.js';
import { iso } from '../sqlite/rows.js';
import type { Page, PersonKind } from '../types.js';
import type { ChangeFeed } from './postgres-changes.js';
import { readEligibilityFacts } from './postgres-eligibility-facts.js';
import { PERSON_AND_ALIASES } from './postgres-rows.js';
import { changes, inTransaction, one, query, rows } from './postgres-sql.js';

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
 * How long a collector serves a project's live messages from memory before reading them again.
 * Writes through any collector drop the entry at once (this one directly, the others through
 * the change feed's NOTIFY); the TTL bounds staleness when a notification is lost
 * (ARCHITECTURE.md, "Caches and several collectors").
 */
export const LIVE_CACHE_TTL_MS = 2_000;

/** Messages, deliveries as eligibility and results read them, and the suppression list (as sqlite-messages.ts). */
export function createPostgresMessages(pool: pg.Pool, clock: Clock, feed: ChangeFeed): MessageStore {
  const liveCache = new Map<string, { live: readonly Message[]; until: number }>();
  feed.subscribe('messages', (projectId) => (projectId === null ? liveCache.clear() : liveCache.delete(projectId)));
  const changed = async (projectId: string): Promise<void> => {
    liveCache.delete(projectId);
    await feed.publish('messages', projectId);
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
  const get = async (projectId: string, messageId: string): Promise<Message | null> => {
    const row = await one<MessageRow>(pool, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = $1 AND id = $2`, [projectId, messageId]);
    return row ? toMessage(row) : null;
  };

  return {
    async create(projectId, message, now) {
      const id = randomUUID();
      await query(pool, `INSERT INTO messages (id, project_id, name, kind, status, content, appearance, conditions, priority, starts_at, ends_at, created_at, updated_at)
        VALUES (@id, @project, @name, @kind, @status, @content, @appearance, @conditions, @priority, @startsAt, @endsAt, @now, @now)`, rowParams(projectId, id, message, now));
      await changed(projectId);
      return (await get(projectId, id))!;
    },

    get,

    async list(projectId, query_) {
      const [beforeAt, beforeId] = cursorKey(query_.cursor, ['number', 'string']);
      const found = await rows<MessageRow>(pool, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = @project AND (@status::text IS NULL OR status = @status)
          AND (@beforeAt::bigint IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId::text))
        ORDER BY created_at DESC, id DESC LIMIT @limit`, { project: projectId, status: query_.status ?? null, beforeAt, beforeId, limit: query_.limit + 1 });
      return toPage(found, query_.limit, toMessage, (row) => [row.created_at, row.id]);
    },

    async replace(projectId, messageId, message, now) {
      const updated = await changes(pool, `UPDATE messages SET name = @name, kind = @kind, status = @status, content = @content, appearance = @appearance,
        conditions = @conditions, priority = @priority, starts_at = @startsAt, ends_at = @endsAt, updated_at = @now
        WHERE project_id = @project AND id = @id`, rowParams(projectId, messageId, message, now));
      await changed(projectId);
      return updated ? get(projectId, messageId) : null;
    },

    async remove(projectId, messageId) {
      const removed = await inTransaction(pool, async (client) => {
        await query(client, 'DELETE FROM deliveries WHERE project_id = $1 AND message_id = $2', [projectId, messageId]);
        return (await changes(client, 'DELETE FROM messages WHERE project_id = $1 AND id = $2', [projectId, messageId])) > 0;
      });
      await changed(projectId);
      return removed;
    },

    async live(projectId) {
      const now = clock.now();
      const cached = liveCache.get(projectId);
      if (cached && now < cached.until) return cached.live;
      const found = Object.freeze(
        (await rows<MessageRow>(pool, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE project_id = $1 AND status = 'live' ORDER BY priority DESC, created_at, seq`, [projectId])).map(toMessage),
      );
      // The same array while nothing changed, as the interface promises callers that cache on it.
      const unchanged = cached && JSON.stringify(cached.live) === JSON.stringify(found);
      const live = unchanged ? cached.live : found;
      liveCache.set(projectId, { live, until: now + LIVE_CACHE_TTL_MS });
      return live;
    },

    // One statement, one round trip per poll (postgres-eligibility-facts.ts). The four reads
    // below stay: email's suppression check uses one, and the store contract compares this
    // answer with theirs.
    eligibilityFacts: (projectId, query) => readEligibilityFacts(pool, projectId, query),

    async person(projectId, type, value): Promise<FactsPerson | null> {
      const row = await one<{ id: string; kind: PersonKind; user_id: string | null; email: string | null; traits: string; verified: number }>(
        pool,
        `SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.verified FROM identities i JOIN people p ON p.id = i.person_id
          WHERE i.project_id = $1 AND i.type = $2 AND i.value = $3`,
        [projectId, type, value],
      );
      return row
        ? { id: row.id, kind: row.kind, userId: row.user_id, email: row.email, traits: JSON.parse(row.traits) as Record<string, unknown>, verified: row.verified === 1 }
        : null;
    },

    async isSuppressed(projectId, { userIds, email }) {
      const row = await one<{ suppressed: boolean }>(pool, `SELECT EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'userId' AND value = @userA::text)
        OR EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'userId' AND value = @userB::text)
        OR EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project AND type = 'email' AND value = @email::text) AS suppressed`,
      { project: projectId, userA: userIds[0] ?? null, userB: userIds[1] ?? null, email });
      return row!.suppressed;
    },

    async countEvents(personId, rules: readonly EventRule[]) {
      if (rules.length === 0) return [];
      const sums = rules.map((_, i) => `coalesce(sum(CASE WHEN name = @n${i}::text AND timestamp >= @s${i}::bigint THEN 1 ELSE 0 END), 0) AS c${i}`).join(', ');
      const names = rules.map((_, i) => `@n${i}`).join(', ');
      const params: Record<string, string | number> = { id: personId, since: Math.min(...rules.map((r) => r.since)) };
      rules.forEach((rule, i) => {
        params[`n${i}`] = rule.event;
        params[`s${i}`] = rule.since;
      });
      const row = (await one<Record<string, number>>(pool, `SELECT ${sums} FROM events WHERE person_id ${PERSON_AND_ALIASES}
        AND type = 'track' AND name IN (${names}) AND timestamp >= @since`, params))!;
      return rules.map((_, i) => Number(row[`c${i}`]));
    },

    async deliveryStats(projectId, personId) {
      const deliveries = new Map<string, DeliveryStats>();
      const found = await rows<{ message_id: string; shows: number; last_shown_at: number | null; answered: number; deliveries: number }>(pool, `SELECT message_id,
          sum(CASE WHEN shown_count > 0 THEN shown_count
                   WHEN clicked_at IS NOT NULL OR dismissed_at IS NOT NULL OR answered_at IS NOT NULL THEN 1 ELSE 0 END) AS shows,
          max(coalesce(last_shown_at, answered_at, clicked_at, dismissed_at)) AS last_shown_at,
          max(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
          count(*) AS deliveries
        FROM deliveries WHERE project_id = @project AND person_id ${PERSON_AND_ALIASES} GROUP BY message_id`, { project: projectId, id: personId });
      for (const stat of found) {
        deliveries.set(stat.message_id, { shows: stat.shows, lastShownAt: stat.last_shown_at, answered: stat.answered === 1, deliveries: stat.deliveries });
      }
      return deliveries;
    },

    async results(projectId, messageId, range): Promise<MessageCounts> {
      const at = (column: string, extra = '') => `coalesce(sum(CASE WHEN ${column} IS NOT NULL AND ${column} >= @from AND ${column} < @to${extra} THEN 1 ELSE 0 END), 0)`;
      const row = (await one<Record<string, number>>(pool, `SELECT
          ${at('shown_at')} AS shown, ${at('clicked_at')} AS clicked, ${at('dismissed_at')} AS dismissed, ${at('answered_at')} AS answered,
          ${at('answered_at', ' AND value = 1')} AS g1, ${at('answered_at', ' AND value = 2')} AS g2, ${at('answered_at', ' AND value = 3')} AS g3,
          ${at('answered_at', ' AND value = 4')} AS g4, ${at('answered_at', ' AND value = 5')} AS g5
        FROM deliveries WHERE message_id = @message AND project_id = @project`, { project: projectId, message: messageId, ...boundedRange(range) }))!;
      return { shown: row.shown!, clicked: row.clicked!, dismissed: row.dismissed!, answered: row.answered!, grades: [row.g1!, row.g2!, row.g3!, row.g4!, row.g5!] };
    },

    async answers(projectId, messageId, range, page): Promise<Page<MessageAnswer>> {
      const [beforeAt, beforeId] = cursorKey(page.cursor, ['number', 'string']);
      const found = await rows<{ id: string; value: number | null; answer_text: string | null; answered_at: number; person_id: string; email: string | null; user_id: string | null; traits: string | null }>(
        pool,
        `SELECT d.id, d.value, d.answer_text, d.answered_at, coalesce(a.person_id, d.person_id) AS person_id, p.email, p.user_id, p.traits
        FROM deliveries d
          LEFT JOIN person_aliases a ON a.alias_id = d.person_id
          LEFT JOIN people p ON p.id = coalesce(a.person_id, d.person_id)
        WHERE d.message_id = @message AND d.project_id = @project AND d.answered_at IS NOT NULL
          AND d.answered_at >= @from AND d.answered_at < @to
          AND (d.value IS NOT NULL OR d.answer_text IS NOT NULL)
          AND (@beforeAt::bigint IS NULL OR d.answered_at < @beforeAt OR (d.answered_at = @beforeAt AND d.id < @beforeId::text))
        ORDER BY d.answered_at DESC, d.id DESC LIMIT @limit`,
        { project: projectId, message: messageId, ...boundedRange(range), beforeAt, beforeId, limit: page.limit + 1 },
      );
      return toPage(
        found,
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

    async listSuppressions(projectId, query_): Promise<Page<Suppression>> {
      const [afterType, afterValue] = cursorKey(query_.cursor, ['string', 'string']);
      const found = await rows<{ type: Suppression['type']; value: string; created_at: number }>(pool, `SELECT type, value, created_at FROM message_suppressions
        WHERE project_id = @project AND (@type::text IS NULL OR type = @type)
          AND (@afterType::text IS NULL OR type > @afterType OR (type = @afterType AND value > @afterValue::text))
        ORDER BY type, value LIMIT @limit`, { project: projectId, type: query_.type ?? null, afterType, afterValue, limit: query_.limit + 1 });
      return toPage(found, query_.limit, (row) => ({ type: row.type, value: row.value, createdAt: iso(row.created_at) }), (row) => [row.type, row.value]);
    },

    async addSuppressions(projectId, entries, now) {
      return inTransaction(pool, async (client) => {
        let added = 0;
        for (const entry of entries) {
          added += await changes(client, 'INSERT INTO message_suppressions (project_id, type, value, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [projectId, entry.type, entry.value, now]);
        }
        return added;
      });
    },

    async removeSuppression(projectId, entry) {
      return (await changes(pool, 'DELETE FROM message_suppressions WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, entry.type, entry.value])) > 0;
    },
  };
}
