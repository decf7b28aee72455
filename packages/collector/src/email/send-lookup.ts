/**
 * What the tracking and unsubscribe routes need to know about one send. The send rows belong
 * to the sending path (issue 13, email-send); this port is all the content side reads of them.
 *
 * The table it reads, `email_sends`, has at least these columns (the sending path's migration
 * makes it; store/sqlite/sqlite-send-lookup.ts reads only these):
 *
 *   id            TEXT  the send id (what tracking tokens carry)
 *   project_id    TEXT  the project it was sent for
 *   person_id     TEXT  the contact it was sent to (null when sent to a bare address)
 *   sent_event_id TEXT  the messageId of its `Email Sent` event: opens and clicks chain to it
 *   links_json    TEXT  JSON array of the original http(s) links, by index (addTracking's `links`)
 *   to_email      TEXT  the address it went to (what an unsubscribe suppresses); optional
 *   template_id   TEXT  the email template it was rendered from, null for none; optional
 *   root_id       TEXT  the root of the chain the send belongs to (an automation run's), null
 *                       when the send starts its own chain; optional
 *
 * Optional columns read as null when the table does not have them.
 */
export interface EmailSendFacts {
  projectId: string;
  personId: string | null;
  /** Null until the send's `Email Sent` event is written. */
  sentEventId: string | null;
  links: string[];
  /** The address the mail went to; null when the send row does not keep it. */
  toEmail: string | null;
  /** The template the send was made from: opens and clicks carry it, so rules can ask "opened template X". */
  templateId: string | null;
  /** The chain the send is part of; null when the send's Email Sent is itself the root. */
  rootId: string | null;
}

export interface SendLookup {
  findSend(sendId: string): Promise<EmailSendFacts | null>;
}
