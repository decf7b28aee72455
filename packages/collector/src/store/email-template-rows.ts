import type { EmailTemplate, EmailTemplateKind } from './email-template-store.js';
import { iso } from './sqlite/rows.js';

/** An `email_templates` row as both stores read it (the same columns on SQLite and PostgreSQL). */
export interface TemplateRow {
  id: string;
  name: string;
  kind: EmailTemplateKind;
  subject: string;
  text: string | null;
  html: string | null;
  created_at: number;
  updated_at: number;
}

export const TEMPLATE_COLUMNS = 'id, name, kind, subject, text, html, created_at, updated_at';

export const toTemplate = (row: TemplateRow): EmailTemplate => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  subject: row.subject,
  text: row.text,
  html: row.html,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
