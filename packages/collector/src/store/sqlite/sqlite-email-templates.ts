import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { EmailTemplateStore } from '../email-template-store.js';
import { TEMPLATE_COLUMNS as COLUMNS, toTemplate, type TemplateRow } from '../email-template-rows.js';

/** Email templates on SQLite (table `email_templates`, the email-templates migration). */
export function createSqliteEmailTemplates(db: Database): EmailTemplateStore {
  const q = {
    insert: db.prepare('INSERT INTO email_templates (project_id, id, name, kind, subject, text, html, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare(`SELECT ${COLUMNS} FROM email_templates WHERE project_id = ? AND id = ?`),
    all: db.prepare(`SELECT ${COLUMNS} FROM email_templates WHERE project_id = ? ORDER BY name COLLATE NOCASE, id`),
    update: db.prepare('UPDATE email_templates SET name = ?, kind = ?, subject = ?, text = ?, html = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM email_templates WHERE project_id = ? AND id = ?'),
  };
  const read = (projectId: string, id: string) => q.get.get(projectId, id) as TemplateRow | undefined;

  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      q.insert.run(projectId, id, input.name, input.kind, input.subject, input.text, input.html, now, now);
      return toTemplate(read(projectId, id)!);
    },
    async get(projectId, id) {
      const row = read(projectId, id);
      return row ? toTemplate(row) : null;
    },
    async list(projectId) {
      return (q.all.all(projectId) as TemplateRow[]).map(toTemplate);
    },
    async update(projectId, id, patch, now) {
      const row = read(projectId, id);
      if (!row) return null;
      const pick = <K extends keyof typeof patch>(key: K, current: TemplateRow[K & keyof TemplateRow]) => (patch[key] !== undefined ? patch[key] : current);
      q.update.run(pick('name', row.name), pick('kind', row.kind), pick('subject', row.subject), pick('text', row.text), pick('html', row.html), now, projectId, id);
      return toTemplate(read(projectId, id)!);
    },
    async remove(projectId, id) {
      return q.remove.run(projectId, id).changes > 0;
    },
  };
}
