/** Whether an email is sent because of what the contact did (transactional) or to many (marketing: unsubscribe link and headers). */
export type EmailTemplateKind = 'transactional' | 'marketing';

/** An email template as the admin API shows it (issue 13). Subject, text and HTML are Liquid. */
export interface EmailTemplate {
  id: string;
  name: string;
  kind: EmailTemplateKind;
  subject: string;
  text: string | null;
  html: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EmailTemplateInput {
  name: string;
  kind: EmailTemplateKind;
  subject: string;
  text: string | null;
  html: string | null;
}

/** Email templates, rows only: validation is in email/template-input.ts. */
export interface EmailTemplateStore {
  create(projectId: string, input: EmailTemplateInput, now: number): Promise<EmailTemplate>;
  get(projectId: string, id: string): Promise<EmailTemplate | null>;
  /** Every template of the project, by name. */
  list(projectId: string): Promise<EmailTemplate[]>;
  update(projectId: string, id: string, patch: Partial<EmailTemplateInput>, now: number): Promise<EmailTemplate | null>;
  remove(projectId: string, id: string): Promise<boolean>;
}
