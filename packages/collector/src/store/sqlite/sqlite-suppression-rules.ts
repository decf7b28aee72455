import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SuppressionRule, SuppressionRuleStore } from '../segment-store.js';
import { toSuppressionRule as toRule, type SuppressionRuleRow as RuleRow } from '../suppression-rule-rows.js';

/** Suppression rules on SQLite (table `suppression_rules`, migration 6). */
export function createSqliteSuppressionRules(db: Database): SuppressionRuleStore {
  const q = {
    insert: db.prepare('INSERT INTO suppression_rules (project_id, id, name, rules, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare('SELECT id, name, rules, enabled, created_at, updated_at FROM suppression_rules WHERE project_id = ? AND id = ?'),
    all: db.prepare('SELECT id, name, rules, enabled, created_at, updated_at FROM suppression_rules WHERE project_id = ? ORDER BY created_at, id'),
    update: db.prepare('UPDATE suppression_rules SET name = ?, rules = ?, enabled = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM suppression_rules WHERE project_id = ? AND id = ?'),
  };
  // Read on every eligibility request: cached per project, dropped on every write.
  const cache = new Map<string, readonly SuppressionRule[]>();

  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      q.insert.run(projectId, id, input.name, JSON.stringify(input.rules), input.enabled === false ? 0 : 1, now, now);
      cache.delete(projectId);
      return toRule(q.get.get(projectId, id) as RuleRow);
    },
    async get(projectId, id) {
      const row = q.get.get(projectId, id) as RuleRow | undefined;
      return row ? toRule(row) : null;
    },
    async list(projectId) {
      return (q.all.all(projectId) as RuleRow[]).map(toRule);
    },
    async update(projectId, id, patch, now) {
      const row = q.get.get(projectId, id) as RuleRow | undefined;
      if (!row) return null;
      const rules = patch.rules !== undefined ? JSON.stringify(patch.rules) : row.rules;
      const enabled = patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0;
      q.update.run(patch.name ?? row.name, rules, enabled, now, projectId, id);
      cache.delete(projectId);
      return toRule(q.get.get(projectId, id) as RuleRow);
    },
    async remove(projectId, id) {
      cache.delete(projectId);
      return q.remove.run(projectId, id).changes > 0;
    },
    async live(projectId) {
      let rules = cache.get(projectId);
      if (!rules) {
        rules = (q.all.all(projectId) as RuleRow[]).filter((row) => row.enabled === 1).map(toRule);
        cache.set(projectId, rules);
      }
      return rules;
    },
  };
}
