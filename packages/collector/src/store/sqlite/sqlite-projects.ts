import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import type { KeyKind, Project, ProjectSettings, ProjectSettingsPatch } from '../types.js';

interface ProjectRow {
  id: string;
  name: string;
  write_key: string;
  secret_key_hash: string;
  settings: string;
  created_at: number;
}

/** Keys are random and prefixed, so a leaked one is easy to recognise in logs and secret scanners. */
export const newWriteKey = (): string => `hk_w_${randomBytes(18).toString('base64url')}`;
export const newSecretKey = (): string => `hk_s_${randomBytes(24).toString('base64url')}`;
export const newVerificationSecret = (): string => `hk_v_${randomBytes(24).toString('hex')}`;
export const newLinkSecret = (): string => `hk_l_${randomBytes(32).toString('hex')}`;
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
const sha256Hex = (value: string): string => sha256(value).toString('hex');

const DEFAULT_SETTINGS = (): ProjectSettings => ({
  identityVerification: 'off',
  verificationSecret: newVerificationSecret(),
  allowedOrigins: [],
  linkSecret: newLinkSecret(),
});

/** Projects, their settings and key rotation, for the SQLite store. */
export function createSqliteProjects(db: Database, clock: Clock) {
  // The secret key itself is never stored, only its SHA-256 (secret_key_hash), like an API token:
  // it is shown once, when it is made (first start, rotation) or pinned from the environment, and
  // a copy of the database file lets nobody into the admin API. The old plain `secret_key`
  // column is kept empty (migrations.ts blanks it in files written before).
  const COLUMNS = 'id, name, write_key, secret_key_hash, settings, created_at';
  const q = {
    byId: db.prepare(`SELECT ${COLUMNS} FROM projects WHERE id = ?`),
    defaultProject: db.prepare(`SELECT ${COLUMNS} FROM projects WHERE is_default = 1`),
    byWriteKey: db.prepare(`SELECT ${COLUMNS} FROM projects WHERE write_key = ?`),
    bySecretHash: db.prepare(`SELECT ${COLUMNS} FROM projects WHERE secret_key_hash = ?`),
    retired: db.prepare('SELECT project_id FROM retired_keys WHERE key_hash = ? AND kind = ? AND expires_at > ?').pluck(),
    graceSecrets: db.prepare("SELECT secret FROM retired_keys WHERE project_id = ? AND kind = 'verification' AND expires_at > ?").pluck(),
    graceEnds: db.prepare("SELECT min(expires_at) FROM retired_keys WHERE project_id = ? AND kind = 'verification' AND expires_at > ?").pluck(),
    insert: db.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, settings, is_default, created_at)
      VALUES (?, ?, ?, '', ?, ?, 1, ?)`),
    setKeys: db.prepare("UPDATE projects SET write_key = ?, secret_key = '', secret_key_hash = ? WHERE id = ?"),
    secretHash: db.prepare('SELECT secret_key_hash FROM projects WHERE id = ?').pluck(),
    setSettings: db.prepare('UPDATE projects SET settings = ? WHERE id = ?'),
    retire: db.prepare('INSERT OR REPLACE INTO retired_keys (key_hash, project_id, kind, secret, expires_at) VALUES (?, ?, ?, ?, ?)'),
    dropExpired: db.prepare('DELETE FROM retired_keys WHERE expires_at <= ?'),
  };

  const toProject = (row: ProjectRow | undefined): Project | null => {
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      writeKey: row.write_key,
      createdAt: row.created_at,
      settings: { ...DEFAULT_SETTINGS(), ...(JSON.parse(row.settings) as Partial<ProjectSettings>) },
      graceVerificationSecrets: q.graceSecrets.all(row.id, clock.now()) as string[],
    };
  };
  /**
   * Projects by current write key, read on every public request (two queries and a JSON parse
   * each time otherwise). This process is the file's only writer, so every write below drops the
   * cache; an entry also ends when the next verification grace period does, as that changes
   * `graceVerificationSecrets`. Retired write keys still in their grace period are not cached.
   */
  const byWriteKey = new Map<string, { project: Project; until: number }>();
  const written = <T>(result: T): T => {
    byWriteKey.clear();
    return result;
  };

  const byId = (id: string): Project => {
    const project = toProject(q.byId.get(id) as ProjectRow | undefined);
    if (!project) throw new Error(`No project ${id}.`);
    return project;
  };
  const secretHashOf = (projectId: string): string => q.secretHash.get(projectId) as string;
  const setKeys = (projectId: string, writeKey: string, secretKeyHash: string): void => {
    written(q.setKeys.run(writeKey, secretKeyHash, projectId));
  };

  return {
    /**
     * The project answered carries `secretKey` only when the caller can be shown it: just made,
     * or pinned by the caller. A stored key cannot be read back.
     */
    ensureDefaultProject(keys: { writeKey?: string; secretKey?: string }): { project: Project; created: boolean } {
      const existing = toProject(q.defaultProject.get() as ProjectRow | undefined);
      if (existing) {
        // Keys given in the environment win over stored ones, so an operator can pin them.
        const writeKey = keys.writeKey ?? existing.writeKey;
        const storedHash = secretHashOf(existing.id);
        const secretKeyHash = keys.secretKey === undefined ? storedHash : sha256Hex(keys.secretKey);
        if (writeKey !== existing.writeKey || secretKeyHash !== storedHash) setKeys(existing.id, writeKey, secretKeyHash);
        return { project: { ...existing, writeKey, ...(keys.secretKey === undefined ? {} : { secretKey: keys.secretKey }) }, created: false };
      }
      const id = randomUUID();
      const secretKey = keys.secretKey ?? newSecretKey();
      written(q.insert.run(id, 'Default project', keys.writeKey ?? newWriteKey(), sha256Hex(secretKey), JSON.stringify(DEFAULT_SETTINGS()), clock.now()));
      return { project: { ...byId(id), secretKey }, created: true };
    },

    findById(id: string): Project | null {
      return toProject(q.byId.get(id) as ProjectRow | undefined);
    },

    findByWriteKey(writeKey: string): Project | null {
      const now = clock.now();
      const cached = byWriteKey.get(writeKey);
      if (cached && now < cached.until) return cached.project;
      const current = toProject(q.byWriteKey.get(writeKey) as ProjectRow | undefined);
      if (current) {
        const until = (q.graceEnds.get(current.id, now) as number | null) ?? Number.POSITIVE_INFINITY;
        byWriteKey.set(writeKey, { project: current, until });
        return current;
      }
      const projectId = q.retired.get(sha256Hex(writeKey), 'write', clock.now()) as string | undefined;
      return projectId ? byId(projectId) : null;
    },

    /** Looks up by hash, then compares in constant time, so timing says nothing about the key. */
    findBySecretKey(secretKey: string): Project | null {
      const digest = sha256(secretKey);
      const row = q.bySecretHash.get(digest.toString('hex')) as ProjectRow | undefined;
      if (row) return timingSafeEqual(Buffer.from(row.secret_key_hash, 'hex'), digest) ? toProject(row) : null;
      const projectId = q.retired.get(digest.toString('hex'), 'secret', clock.now()) as string | undefined;
      return projectId ? byId(projectId) : null;
    },

    updateSettings(projectId: string, patch: ProjectSettingsPatch): Project {
      const project = byId(projectId);
      written(q.setSettings.run(JSON.stringify({ ...project.settings, ...patch }), projectId));
      return byId(projectId);
    },

    rotateKey(projectId: string, kind: KeyKind, graceMs: number): Project {
      byWriteKey.clear();
      return db.transaction(() => {
        const project = byId(projectId);
        const now = clock.now();
        q.dropExpired.run(now);
        const expiresAt = now + Math.max(0, graceMs);
        if (kind === 'write') {
          if (graceMs > 0) q.retire.run(sha256Hex(project.writeKey), projectId, 'write', null, expiresAt);
          setKeys(projectId, newWriteKey(), secretHashOf(projectId));
        } else if (kind === 'secret') {
          if (graceMs > 0) q.retire.run(secretHashOf(projectId), projectId, 'secret', null, expiresAt);
          const secretKey = newSecretKey();
          setKeys(projectId, project.writeKey, sha256Hex(secretKey));
          // The one time the new key is shown.
          return { ...byId(projectId), secretKey };
        } else {
          const old = project.settings.verificationSecret;
          if (graceMs > 0) q.retire.run(sha256Hex(old), projectId, 'verification', old, expiresAt);
          q.setSettings.run(JSON.stringify({ ...project.settings, verificationSecret: newVerificationSecret() }), projectId);
        }
        return byId(projectId);
      })();
    },
  };
}
