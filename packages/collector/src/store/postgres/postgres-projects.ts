import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import { newLinkSecret, newSecretKey, newVerificationSecret, newWriteKey } from '../sqlite/sqlite-projects.js';
import type { KeyKind, Project, ProjectSettings, ProjectSettingsPatch } from '../types.js';
import type { ChangeFeed } from './postgres-changes.js';
import { inTransaction, isUniqueViolation, one, query, rows, type Queryable } from './postgres-sql.js';

interface ProjectRow {
  id: string;
  name: string;
  write_key: string;
  secret_key_hash: string;
  settings: string;
  created_at: number;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
const sha256Hex = (value: string): string => sha256(value).toString('hex');
const DEFAULT_SETTINGS = (): ProjectSettings => ({ identityVerification: 'off', verificationSecret: newVerificationSecret(), allowedOrigins: [], linkSecret: newLinkSecret() });
const COLUMNS = 'id, name, write_key, secret_key_hash, settings, created_at';

/**
 * How long a collector trusts a project it read by write key. Writes through any collector drop
 * the cache at once (the others' through the change feed's NOTIFY); the TTL bounds staleness
 * when a notification is lost (ARCHITECTURE.md, "Caches and several collectors").
 */
export const PROJECT_CACHE_TTL_MS = 2_000;

/** Projects, their settings and key rotation, for the PostgreSQL store (as sqlite-projects.ts; only the secret key's hash is stored). */
export function createPostgresProjects(pool: pg.Pool, clock: Clock, feed: ChangeFeed) {
  const toProject = async (db: Queryable, row: ProjectRow | undefined): Promise<Project | null> => {
    if (!row) return null;
    const grace = await rows<{ secret: string }>(db, "SELECT secret FROM retired_keys WHERE project_id = $1 AND kind = 'verification' AND expires_at > $2", [row.id, clock.now()]);
    return {
      id: row.id,
      name: row.name,
      writeKey: row.write_key,
      createdAt: row.created_at,
      settings: { ...DEFAULT_SETTINGS(), ...(JSON.parse(row.settings) as Partial<ProjectSettings>) },
      graceVerificationSecrets: grace.map((g) => g.secret),
    };
  };
  const byId = async (db: Queryable, id: string): Promise<Project> => {
    const project = await toProject(db, await one<ProjectRow>(db, `SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]));
    if (!project) throw new Error(`No project ${id}.`);
    return project;
  };
  const retired = async (keyHash: string, kind: KeyKind): Promise<Project | null> => {
    const row = await one<{ project_id: string }>(pool, 'SELECT project_id FROM retired_keys WHERE key_hash = $1 AND kind = $2 AND expires_at > $3', [keyHash, kind, clock.now()]);
    return row ? byId(pool, row.project_id) : null;
  };
  const secretHashOf = async (db: Queryable, projectId: string): Promise<string> =>
    (await one<{ secret_key_hash: string }>(db, 'SELECT secret_key_hash FROM projects WHERE id = $1', [projectId]))!.secret_key_hash;
  const setKeys = (db: Queryable, projectId: string, writeKey: string, secretKeyHash: string) =>
    query(db, 'UPDATE projects SET write_key = $1, secret_key_hash = $2 WHERE id = $3', [writeKey, secretKeyHash, projectId]);
  const retire = (db: Queryable, keyHash: string, projectId: string, kind: KeyKind, secret: string | null, expiresAt: number) =>
    query(db, `INSERT INTO retired_keys (key_hash, project_id, kind, secret, expires_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (key_hash) DO UPDATE SET project_id = excluded.project_id, kind = excluded.kind, secret = excluded.secret, expires_at = excluded.expires_at`,
    [keyHash, projectId, kind, secret, expiresAt]);

  /** Projects by current write key, read on every public request; see PROJECT_CACHE_TTL_MS. */
  const byWriteKey = new Map<string, { project: Project; until: number }>();
  // Keyed by write key, not project: a change to any project drops them all (changes are rare).
  feed.subscribe('projects', () => byWriteKey.clear());
  /** After a write to a project commits: this collector's cache, then everyone's. */
  const changed = async (projectId: string): Promise<void> => {
    byWriteKey.clear();
    await feed.publish('projects', projectId);
  };

  const ensureDefaultProject = async (keys: { writeKey?: string; secretKey?: string }, retried = false): Promise<{ project: Project; created: boolean }> => {
    const existing = await toProject(pool, await one<ProjectRow>(pool, `SELECT ${COLUMNS} FROM projects WHERE is_default = 1`));
    if (existing) {
      // Keys given in the environment win over stored ones, so an operator can pin them.
      const writeKey = keys.writeKey ?? existing.writeKey;
      const storedHash = await secretHashOf(pool, existing.id);
      const secretKeyHash = keys.secretKey === undefined ? storedHash : sha256Hex(keys.secretKey);
      if (writeKey !== existing.writeKey || secretKeyHash !== storedHash) {
        await setKeys(pool, existing.id, writeKey, secretKeyHash);
        await changed(existing.id);
      }
      return { project: { ...existing, writeKey, ...(keys.secretKey === undefined ? {} : { secretKey: keys.secretKey }) }, created: false };
    }
    const id = randomUUID();
    const secretKey = keys.secretKey ?? newSecretKey();
    byWriteKey.clear();
    try {
      await query(pool, `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, is_default, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)`,
        [id, 'Default project', keys.writeKey ?? newWriteKey(), sha256Hex(secretKey), JSON.stringify(DEFAULT_SETTINGS()), clock.now()]);
    } catch (error) {
      // Another collector starting at the same moment made it first (projects_one_default): use theirs.
      if (isUniqueViolation(error) && !retried) return ensureDefaultProject(keys, true);
      throw error;
    }
    return { project: { ...(await byId(pool, id)), secretKey }, created: true };
  };

  return {
    ensureDefaultProject: (keys: { writeKey?: string; secretKey?: string }) => ensureDefaultProject(keys),

    async findById(id: string): Promise<Project | null> {
      return toProject(pool, await one<ProjectRow>(pool, `SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]));
    },

    async findByWriteKey(writeKey: string): Promise<Project | null> {
      const now = clock.now();
      const cached = byWriteKey.get(writeKey);
      if (cached && now < cached.until) return cached.project;
      const current = await toProject(pool, await one<ProjectRow>(pool, `SELECT ${COLUMNS} FROM projects WHERE write_key = $1`, [writeKey]));
      if (current) {
        const graceEnds = (await one<{ ends: number | null }>(pool, "SELECT min(expires_at) AS ends FROM retired_keys WHERE project_id = $1 AND kind = 'verification' AND expires_at > $2", [current.id, now]))!.ends;
        byWriteKey.set(writeKey, { project: current, until: Math.min(graceEnds ?? Number.POSITIVE_INFINITY, now + PROJECT_CACHE_TTL_MS) });
        return current;
      }
      byWriteKey.delete(writeKey);
      return retired(sha256Hex(writeKey), 'write');
    },

    /** Looks up by hash, then compares in constant time, so timing says nothing about the key. */
    async findBySecretKey(secretKey: string): Promise<Project | null> {
      const digest = sha256(secretKey);
      const row = await one<ProjectRow>(pool, `SELECT ${COLUMNS} FROM projects WHERE secret_key_hash = $1`, [digest.toString('hex')]);
      if (row) return timingSafeEqual(Buffer.from(row.secret_key_hash, 'hex'), digest) ? toProject(pool, row) : null;
      return retired(digest.toString('hex'), 'secret');
    },

    async updateSettings(projectId: string, patch: ProjectSettingsPatch): Promise<Project> {
      byWriteKey.clear();
      return inTransaction(pool, async (client) => {
        // Locked, so two collectors patching different settings at once both keep their change.
        await query(client, 'SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
        const project = await byId(client, projectId);
        await query(client, 'UPDATE projects SET settings = $1 WHERE id = $2', [JSON.stringify({ ...project.settings, ...patch }), projectId]);
        return byId(client, projectId);
      }).finally(() => changed(projectId));
    },

    async rotateKey(projectId: string, kind: KeyKind, graceMs: number): Promise<Project> {
      byWriteKey.clear();
      return inTransaction(pool, async (client) => {
        await query(client, 'SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
        const project = await byId(client, projectId);
        const now = clock.now();
        await query(client, 'DELETE FROM retired_keys WHERE expires_at <= $1', [now]);
        const expiresAt = now + Math.max(0, graceMs);
        if (kind === 'write') {
          if (graceMs > 0) await retire(client, sha256Hex(project.writeKey), projectId, 'write', null, expiresAt);
          await setKeys(client, projectId, newWriteKey(), await secretHashOf(client, projectId));
        } else if (kind === 'secret') {
          if (graceMs > 0) await retire(client, await secretHashOf(client, projectId), projectId, 'secret', null, expiresAt);
          const secretKey = newSecretKey();
          await setKeys(client, projectId, project.writeKey, sha256Hex(secretKey));
          // The one time the new key is shown.
          return { ...(await byId(client, projectId)), secretKey };
        } else {
          const old = project.settings.verificationSecret;
          if (graceMs > 0) await retire(client, sha256Hex(old), projectId, 'verification', old, expiresAt);
          await query(client, 'UPDATE projects SET settings = $1 WHERE id = $2', [JSON.stringify({ ...project.settings, verificationSecret: newVerificationSecret() }), projectId]);
        }
        return byId(client, projectId);
      }).finally(() => changed(projectId));
    },
  };
}
