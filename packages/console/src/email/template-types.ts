/** An email template as the admin API answers it (docs/API.md, /api/v1/email-templates). */
export interface EmailTemplate {
  id: string;
  name: string;
  kind: 'transactional' | 'marketing';
  subject: string;
  text: string | null;
  html: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A preview: the rendered parts and the variables this contact does not have. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  warnings: string[];
}
