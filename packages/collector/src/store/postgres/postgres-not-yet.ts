import { ApiError } from '../../http/api-error.js';
import type { EmailStore } from '../email-store.js';
import type { SendLookup } from '../../email/send-lookup.js';

/**
 * Email sending (issue 13) exists on SQLite only so far (segments, CSV imports, suppression
 * rules, lists, companies and automation definitions are on PostgreSQL). On PostgreSQL the reads
 * the rest of the collector makes answer "none", so everything else keeps working; anything
 * else answers a clear 501 rather than a crash or a silent no-op. docs/SCALING.md lists what is
 * not on PostgreSQL yet.
 */
function notYet<T extends object>(name: string, quiet: Partial<Record<string, (...args: never[]) => unknown>>): T {
  return new Proxy({} as T, {
    get(_target, method) {
      if (typeof method !== 'string') return undefined;
      const answer = quiet[method];
      if (answer) return async (...args: never[]) => answer(...args);
      return async () => {
        throw new ApiError(501, 'not_on_postgres', `${name} are not available on the PostgreSQL store yet; run this collector on SQLite for them (docs/SCALING.md).`);
      };
    },
  });
}

export const postgresAudienceStores = () => ({
  // Email (issue 13) is on SQLite only so far: every email route answers 501 on PostgreSQL.
  // The server re-queues open sends at start: there are none on PostgreSQL, so it starts.
  emails: notYet<EmailStore>('Email sends, domains and the outbox', { queuedBefore: () => [] }),
  // No sends on PostgreSQL yet, so every tracking URL is unknown there (404), never a 501 to a reader.
  emailSends: notYet<SendLookup>('Email sends', { findSend: () => null }),
});
