import type { Rule } from '../rules/index.js';
import type { SuppressionRule } from './segment-store.js';
import { iso } from './sqlite/rows.js';

/** A suppression rule row as both stores read it (the same columns on SQLite and PostgreSQL). */
export interface SuppressionRuleRow {
  id: string;
  name: string;
  rules: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export const toSuppressionRule = (row: SuppressionRuleRow): SuppressionRule => ({
  id: row.id,
  name: row.name,
  rules: JSON.parse(row.rules) as Rule,
  enabled: row.enabled === 1,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
