import type { CompanyItem } from './company-store.js';
import { iso } from './sqlite/rows.js';

/** A company with its member count, as both stores read it (the same columns on SQLite and PostgreSQL). */
export interface CompanyItemRow {
  id: string;
  traits: string;
  size: number;
  created_at: number;
  updated_at: number;
}

export const toCompanyItem = (row: CompanyItemRow): CompanyItem => {
  const traits = JSON.parse(row.traits) as Record<string, unknown>;
  return {
    id: row.id,
    name: typeof traits.name === 'string' ? traits.name : null,
    traits,
    size: row.size,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
};

/** Escapes LIKE's wildcards so a search for "50%" means those characters. */
export const likePattern = (search: string): string => `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
