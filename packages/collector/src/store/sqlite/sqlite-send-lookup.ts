import type { Database, Statement } from 'better-sqlite3';
import type { EmailSendFacts, SendLookup } from '../../email/send-lookup.js';
import { toSendFacts, type SendFactsRow } from '../email-rows.js';

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
      const row = statement()?.get(sendId) as SendFactsRow | undefined;
      return row ? toSendFacts(row) : null;
    },
  };
}
