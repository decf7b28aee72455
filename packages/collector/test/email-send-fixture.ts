import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestCollector } from './harness.js';
import { TEST_DATABASE_URL } from './postgres-helpers.js';

/**
 * A sent row in the sending path's `email_sends` (the email migration), for tests of the content
 * side (tracking, unsubscribe, email rules) that need a send without going through SMTP. Before
 * the two halves met, those tests made a table of their own with only the columns they read;
 * with the real table present they call this instead.
 */
export function writeSentEmailRow(
  dbPath: string,
  send: { id: string; projectId: string; personId: string | null; sentEventId: string | null; links: string[]; toEmail?: string | null; templateId?: string | null; rootId?: string | null },
): void {
  const db = new Database(dbPath);
  const now = Date.now();
  db.prepare(
    `INSERT INTO email_sends (project_id, id, person_id, to_email, from_address, subject, attachments, headers, transactional, template_id,
       message_id, root_id, links_json, sent_event_id, status, created_at, updated_at, sent_at)
     VALUES (?, ?, ?, ?, 'hello@example.org', 'A test send', '[]', '{}', 0, ?, ?, ?, ?, ?, 'sent', ?, ?, ?)`,
  ).run(send.projectId, send.id, send.personId, send.toEmail ?? 'someone@example.com', send.templateId ?? null, `<${send.id}@example.org>`, send.rootId ?? null, JSON.stringify(send.links), send.sentEventId, now, now, now);
  db.close();
}

/**
 * The same sent send on either store, through the store's own writes (createSend, finish,
 * setSentEvent): for content-side suites that run on SQLite and PostgreSQL alike.
 */
export async function storeSentEmail(
  hark: TestCollector,
  send: { id: string; personId: string | null; sentEventId: string | null; links: string[]; toEmail?: string | null; templateId?: string | null; rootId?: string | null },
): Promise<void> {
  const projectId = hark.project.id;
  const now = hark.clock.now();
  await hark.store.emails.createSend({
    id: send.id, projectId, idempotencyKey: null, personId: send.personId, to: send.toEmail ?? 'someone@example.com', from: 'hello@example.org', replyTo: null,
    subject: 'A test send', text: null, html: null, attachments: [], headers: {}, transactional: false, templateId: send.templateId ?? null,
    messageId: `<${send.id}@example.org>`, rootId: send.rootId ?? null, parentId: null, links: send.links, createdAt: now,
  });
  await hark.store.emails.finish(projectId, send.id, { status: 'sent', reason: null }, now);
  if (send.sentEventId) await hark.store.emails.setSentEvent(projectId, send.id, send.sentEventId);
}

export type EmailEventRow = { name: string; message_id: string; person_id: string; parent_id: string | null; root_id: string | null; properties: Record<string, unknown>; context: Record<string, unknown> };

/** Every stored `Email …` event of the collector, oldest first, as rows (either store). */
export async function emailEvents(hark: TestCollector): Promise<EmailEventRow[]> {
  const sql = "SELECT name, properties, context, message_id, person_id, parent_id, root_id FROM events WHERE name LIKE 'Email %' ORDER BY seq";
  type Row = Omit<EmailEventRow, 'properties' | 'context'> & { properties: string; context: string };
  let found: Row[];
  if (hark.schema) {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL!, options: `-c search_path=${hark.schema}` });
    await client.connect();
    try {
      found = (await client.query<Row>(sql)).rows;
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(hark.dbPath, { readonly: true });
    found = db.prepare(sql).all() as Row[];
    db.close();
  }
  return found.map((row) => ({ ...row, properties: JSON.parse(row.properties), context: JSON.parse(row.context) }));
}
