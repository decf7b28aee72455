import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hark-migrate-'));
  dirs.push(dir);
  return join(dir, 'hark.db');
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('migrations', () => {
  it('upgrade a database written by the first schema and keep its data', async () => {
    const path = tempDb();
    const old = new Database(path);
    expect(migrate(old, 1)).toBe(1);
    old.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, is_default, created_at)
      VALUES ('p1', 'Old', 'hk_w_old', 'hk_s_old', 'hash', 1, 0)`).run();
    old.prepare(`INSERT INTO people (id, project_id, kind, user_id, traits, created_at, last_seen_at) VALUES ('person-1', 'p1', 'user', 'u-old', '{"plan":"pro"}', 0, 0)`).run();
    old.prepare(`INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES ('p1', 'user', 'u-old', 'person-1', 0)`).run();
    old.close();

    const store = openSqliteStore({ path });
    const { project, created } = await store.ensureDefaultProject({});
    expect(created).toBe(false);
    expect(project.writeKey).toBe('hk_w_old');
    const person = await store.lookupPerson('p1', { userId: 'u-old' });
    expect(person).toMatchObject({ id: 'person-1', traits: { plan: 'pro' }, companies: [] });
    await store.close();

    const reopened = new Database(path);
    expect(reopened.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(reopened.prepare("SELECT name FROM sqlite_master WHERE name = 'companies'").pluck().get()).toBe('companies');
    reopened.close();
  });

  it('refuses to open a database from a newer Hark instead of damaging it', () => {
    const path = tempDb();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openSqliteStore({ path })).toThrow(/newer Hark/);
  });

  it('keeps the generated keys across restarts, and lets the environment pin them', async () => {
    const path = tempDb();
    const first = openSqliteStore({ path });
    const made = (await first.ensureDefaultProject({})).project;
    await first.close();
    const second = openSqliteStore({ path });
    expect((await second.ensureDefaultProject({})).project.writeKey).toBe(made.writeKey);
    const pinned = (await second.ensureDefaultProject({ writeKey: 'hk_w_pinned', secretKey: 'hk_s_pinned' })).project;
    expect(pinned).toMatchObject({ id: made.id, writeKey: 'hk_w_pinned', secretKey: 'hk_s_pinned' });
    expect(await second.findProjectBySecretKey('hk_s_pinned')).toMatchObject({ id: made.id });
    expect(await second.findProjectBySecretKey(made.secretKey!)).toBeNull();
    await second.close();
  });

  it('stores the secret key only as a hash, and shows it only when it is made or pinned', async () => {
    const path = tempDb();
    const first = openSqliteStore({ path });
    const made = await first.ensureDefaultProject({});
    expect(made.project.secretKey).toMatch(/^hk_s_/);
    const secretKey = made.project.secretKey!;
    const rotated = await first.rotateKey(made.project.id, 'secret', 0);
    expect(rotated.secretKey).toMatch(/^hk_s_/);
    expect(await first.findProjectBySecretKey(rotated.secretKey!)).not.toHaveProperty('secretKey');
    await first.close();
    const again = openSqliteStore({ path });
    expect((await again.ensureDefaultProject({})).project).not.toHaveProperty('secretKey');
    expect(await again.findProjectBySecretKey(rotated.secretKey!)).toMatchObject({ id: made.project.id });
    expect(await again.findProjectBySecretKey(secretKey)).toBeNull();
    await again.close();
    const raw = new Database(path, { readonly: true });
    const bytes = Buffer.concat([readFileSync(path), ...(existsSync(`${path}-wal`) ? [readFileSync(`${path}-wal`)] : [])]);
    expect(bytes.includes(Buffer.from(rotated.secretKey!))).toBe(false);
    expect(bytes.includes(Buffer.from(secretKey))).toBe(false);
    expect(raw.prepare('SELECT secret_key FROM projects').pluck().all()).toEqual(['']);
    raw.close();
  });

  it('blanks the plain secret key a database from before hashing still holds', async () => {
    const path = tempDb();
    const old = new Database(path);
    const hashing = MIGRATIONS.findIndex((migration) => migration.includes("SET secret_key = ''"));
    expect(hashing).toBeGreaterThan(0);
    migrate(old, hashing);
    old.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, is_default, created_at)
      VALUES ('p1', 'Old', 'hk_w_old', 'hk_s_old_plain_key', ?, 1, 0)`).run(createHash('sha256').update('hk_s_old_plain_key').digest('hex'));
    old.close();
    const store = openSqliteStore({ path });
    expect(await store.findProjectBySecretKey('hk_s_old_plain_key')).toMatchObject({ id: 'p1' });
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT secret_key FROM projects').pluck().get()).toBe('');
    raw.close();
  });
});
