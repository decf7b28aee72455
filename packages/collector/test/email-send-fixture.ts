import Database from 'better-sqlite3';

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
