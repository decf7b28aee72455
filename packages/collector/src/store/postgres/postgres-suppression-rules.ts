import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import type { SuppressionRule, SuppressionRuleStore } from '../segment-store.js';
import { toSuppressionRule as toRule, type SuppressionRuleRow as RuleRow } from '../suppression-rule-rows.js';
import type { ChangeFeed } from './postgres-changes.js';
import { LIVE_CACHE_TTL_MS } from './postgres-messages.js';
import { changes, one, rows } from './postgres-sql.js';

const COLUMNS = 'id, name, rules, enabled, created_at, updated_at';

/**
 * Suppression rules on PostgreSQL (table `suppression_rules`, PG migration 3): the statements of
 * sqlite-suppression-rules.ts. The enabled rules are read on every eligibility request, so they
 * are cached per collector like live messages: a write here publishes `suppression_rules` on the
 * change feed after it commits, which drops the entry on every collector, and the entry ends
 * after LIVE_CACHE_TTL_MS in any case (postgres-changes.ts says why both).
 */
export function createPostgresSuppressionRules(pool: pg.Pool, clock: Clock, feed: ChangeFeed, cacheReads: pg.Pool = pool): SuppressionRuleStore {
  const cache = new Map<string, { rules: readonly SuppressionRule[]; until: number }>();
  feed.subscribe('suppression_rules', (projectId) => (projectId === null ? cache.clear() : cache.delete(projectId)));
  const changed = async (projectId: string) => {
    cache.delete(projectId);
    await feed.publish('suppression_rules', projectId);
  };
  const get = async (projectId: string, id: string) => {
    const row = await one<RuleRow>(pool, `SELECT ${COLUMNS} FROM suppression_rules WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return row ? toRule(row) : null;
  };

  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      await changes(pool, 'INSERT INTO suppression_rules (project_id, id, name, rules, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)',
        [projectId, id, input.name, JSON.stringify(input.rules), input.enabled === false ? 0 : 1, now]);
      await changed(projectId);
      return (await get(projectId, id))!;
    },
    get,
    async list(projectId) {
      return (await rows<RuleRow>(pool, `SELECT ${COLUMNS} FROM suppression_rules WHERE project_id = $1 ORDER BY created_at, id`, [projectId])).map(toRule);
    },
    async update(projectId, id, patch, now) {
      // One statement, so two editors at once each apply their fields to the row as it is then.
      const updated = await changes(pool, `UPDATE suppression_rules SET name = coalesce($3::text, name), rules = coalesce($4::text, rules),
        enabled = coalesce($5::integer, enabled), updated_at = $6 WHERE project_id = $1 AND id = $2`,
      [projectId, id, patch.name ?? null, patch.rules !== undefined ? JSON.stringify(patch.rules) : null, patch.enabled === undefined ? null : patch.enabled ? 1 : 0, now]);
      if (updated === 0) return null;
      await changed(projectId);
      return get(projectId, id);
    },
    async remove(projectId, id) {
      const removed = await changes(pool, 'DELETE FROM suppression_rules WHERE project_id = $1 AND id = $2', [projectId, id]);
      if (removed > 0) await changed(projectId);
      return removed > 0;
    },
    async live(projectId) {
      const now = clock.now();
      const hit = cache.get(projectId);
      if (hit && hit.until > now) return hit.rules;
      const found = (await rows<RuleRow>(cacheReads, `SELECT ${COLUMNS} FROM suppression_rules WHERE project_id = $1 AND enabled = 1 ORDER BY created_at, id`, [projectId])).map(toRule);
      cache.set(projectId, { rules: found, until: now + LIVE_CACHE_TTL_MS });
      return found;
    },
  };
}
