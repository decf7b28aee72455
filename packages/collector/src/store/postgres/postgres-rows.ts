import { createHash } from 'node:crypto';

/**
 * What differs in the shared row SQL (sqlite/rows.ts) on PostgreSQL: a person and everyone
 * merged into them, written `person_id ${PERSON_AND_ALIASES}`. On PostgreSQL the ids are
 * an array built once (an InitPlan) and compared with `= ANY`: written as SQLite's
 * `IN (subquery)`, the planner made it a semi join and, with the events_track_by_person index,
 * scanned every track event of the project by timestamp, filtering on the person afterwards
 * (eligibility's event counts slowed down with the project's whole history). `= ANY(array)` is
 * an index condition on person_id. The parameter is cast, as PostgreSQL must know its type.
 */
export const PERSON_AND_ALIASES = '= ANY(ARRAY(SELECT @id::text UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @id))';

/**
 * The advisory lock key of one identity (see postgres-repositories.ts): the first 8 bytes of
 * SHA-256(project, type, value) as a signed 64-bit integer, in decimal for a `bigint` parameter.
 * Computed here rather than with hashtext() on the server, as the separator (NUL, which no id
 * contains) is not allowed in a PostgreSQL text value.
 */
export const identityLockKey = (projectId: string, type: string, value: string): string => advisoryLockKey(projectId, type, value);

/**
 * The advisory lock key of any tuple of ids, as identityLockKey (which is this over project,
 * type and value): the parts joined by NUL, hashed. Other locks name their kind as a part
 * (postgres-automation-runs.ts: 'automation-entry'), which no identity type is.
 */
export const advisoryLockKey = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest().readBigInt64BE(0).toString();
