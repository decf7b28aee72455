import type { Database, Statement } from 'better-sqlite3';
import type { EmailSendFacts, SendLookup } from '../../email/send-lookup.js';

interface SendRow {
  project_id: string;
  person_id: string | null;
  sent_event_id: string | null;
  links_json: string | null;
  to_email: string | null;
  template_id: string | null;
  root_id: string | null;
}

/**
 * Reads sends from `email_sends` (columns documented in email/send-lookup.ts). The table is made
 * by the sending path's migration; until it exists every send is unknown, so tracking URLs answer
 * 404 instead of failing. The statement is prepared on first use for that reason.
 */
export function createSqliteSendLookup(db: Database): SendLookup {
  let find: Statement | null = null;
  const statement = (): Statement | null => {
    if (find) return find;
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'email_sends'").pluck().get();
    if (!exists) return null;
    const columns = new Set((db.prepare("SELECT name FROM pragma_table_info('email_sends')").pluck().all() as string[]));
    // Optional columns: a send table that keeps these elsewhere still tracks.
    const optional = (name: string) => (columns.has(name) ? name : `NULL AS ${name}`);
    find = db.prepare(`SELECT project_id, person_id, sent_event_id, links_json, ${optional('to_email')}, ${optional('template_id')}, ${optional('root_id')} FROM email_sends WHERE id = ?`);
    return find;
  };
  return {
    async findSend(sendId): Promise<EmailSendFacts | null> {
      const row = statement()?.get(sendId) as SendRow | undefined;
      if (!row) return null;
      return { projectId: row.project_id, personId: row.person_id, sentEventId: row.sent_event_id, links: parseLinks(row.links_json), toEmail: row.to_email, templateId: row.template_id, rootId: row.root_id };
    },
  };
}

function parseLinks(json: string | null): string[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((link): link is string => typeof link === 'string') : [];
  } catch {
    return [];
  }
}
