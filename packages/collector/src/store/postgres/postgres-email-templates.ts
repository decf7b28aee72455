import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { EmailTemplateStore } from '../email-template-store.js';
import { TEMPLATE_COLUMNS as COLUMNS, toTemplate, type TemplateRow } from '../email-template-rows.js';
import { changes, one, query, rows } from './postgres-sql.js';

/** Email templates on PostgreSQL: the statements of sqlite-email-templates.ts, in the same order. */
export function createPostgresEmailTemplates(pool: pg.Pool): EmailTemplateStore {
  const read = (projectId: string, id: string) => one<TemplateRow>(pool, `SELECT ${COLUMNS} FROM email_templates WHERE project_id = @project AND id = @id`, { project: projectId, id });
  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      await query(pool, `INSERT INTO email_templates (project_id, id, name, kind, subject, text, html, created_at, updated_at)
        VALUES (@project, @id, @name, @kind, @subject, @text, @html, @now, @now)`, { project: projectId, id, ...input, now });
      return toTemplate((await read(projectId, id))!);
    },
    async get(projectId, id) {
      const row = await read(projectId, id);
      return row ? toTemplate(row) : null;
    },
    async list(projectId) {
      return (await rows<TemplateRow>(pool, `SELECT ${COLUMNS} FROM email_templates WHERE project_id = @project ORDER BY lower(name), id`, { project: projectId })).map(toTemplate);
    },
    async update(projectId, id, patch, now) {
      const row = await read(projectId, id);
      if (!row) return null;
      const pick = <K extends keyof typeof patch & keyof TemplateRow>(key: K) => (patch[key] !== undefined ? patch[key] : row[key]);
      await query(pool, `UPDATE email_templates SET name = @name, kind = @kind, subject = @subject, text = @text, html = @html, updated_at = @now
        WHERE project_id = @project AND id = @id`, { name: pick('name'), kind: pick('kind'), subject: pick('subject'), text: pick('text'), html: pick('html'), now, project: projectId, id });
      return toTemplate((await read(projectId, id))!);
    },
    async remove(projectId, id) {
      return (await changes(pool, 'DELETE FROM email_templates WHERE project_id = @project AND id = @id', { project: projectId, id })) > 0;
    },
  };
}
