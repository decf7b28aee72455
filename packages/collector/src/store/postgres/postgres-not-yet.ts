import { ApiError } from '../../http/api-error.js';
import type { ImportStore } from '../import-store.js';
import type { SegmentStore } from '../segment-store.js';

/**
 * Segments and CSV imports (issue 11) exist on SQLite only so far (suppression rules, lists,
 * companies, automation definitions and email are on PostgreSQL). On PostgreSQL the reads the rest of
 * the collector makes on every request answer "none" (no segments), so
 * ingest, eligibility and people keep working; anything else answers a clear 501 rather than a
 * crash or a silent no-op. docs/SCALING.md lists what is not on PostgreSQL yet.
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
  segments: notYet<SegmentStore>('Segments', { forPerson: () => [], memberOf: () => new Set<string>(), sweepDue: () => 0, idle: () => undefined }),
  imports: notYet<ImportStore>('CSV imports', {}),
});
