/** The outbox and send shapes the admin API answers (routes/email-send-routes.ts). */
export interface OutboxAttachment {
  name: string;
  type: string;
  size: number;
  /** Base64; only on one mail, not in the list. */
  content?: string;
}

export interface OutboxSummary {
  id: string;
  sendId: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  attachments: OutboxAttachment[];
  createdAt: string;
}

export interface OutboxMail extends OutboxSummary {
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
  raw: string;
}
