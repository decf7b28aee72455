/** A contact as an import row or the admin API names one; `email` already valid and normalised. */
export interface ContactInput {
  email: string;
  name: string;
  userId?: string | null;
  phone?: string | null;
  /** The name or id of their company. */
  company?: string | null;
  traits?: Record<string, unknown>;
}

/** What saving one contact did. */
export type ContactOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; personId: string }
  | { status: 'rejected'; reason: string };
