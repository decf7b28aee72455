import type pg from 'pg';
import type { SendLookup } from '../../email/send-lookup.js';
import { toSendFacts, type SendFactsRow } from '../email-rows.js';
import { one } from './postgres-sql.js';

/**
 * What tracking reads of a send on PostgreSQL (email/send-lookup.ts), by its id alone, through
 * email_sends_by_id. The table always has every column here (migration 13), so unlike SQLite's
 * lookup nothing is optional.
 */
export function createPostgresSendLookup(pool: pg.Pool): SendLookup {
  return {
    async findSend(sendId) {
      const row = await one<SendFactsRow>(pool, `SELECT project_id, person_id, sent_event_id, links_json, to_email, template_id, root_id
        FROM email_sends WHERE id = @id LIMIT 1`, { id: sendId });
      return row ? toSendFacts(row) : null;
    },
  };
}
