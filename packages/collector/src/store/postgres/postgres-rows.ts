import { createHash } from 'node:crypto';

/**
 * What differs in the shared row SQL (sqlite/rows.ts) on PostgreSQL: the person-and-aliases
 * subquery names its parameter with a cast, as PostgreSQL must know a bare parameter's type.
 */
export const PERSON_AND_ALIASES = '(SELECT @id::text UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @id)';

/**
 * The advisory lock key of one identity (see postgres-repositories.ts): the first 8 bytes of
 * SHA-256(project, type, value) as a signed 64-bit integer, in decimal for a `bigint` parameter.
 * Computed here rather than with hashtext() on the server, as the separator (NUL, which no id
 * contains) is not allowed in a PostgreSQL text value.
 */
export const identityLockKey = (projectId: string, type: string, value: string): string =>
  createHash('sha256').update(`${projectId}\u0000${type}\u0000${value}`).digest().readBigInt64BE(0).toString();
