import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signChainToken, verifyChainToken, type ChainLink } from '../src/chain/chain-token.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/postgres-migrations.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { MIGRATIONS, migrate } from '../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startCollector } from './harness.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

const link: ChainLink = { rootId: 'email-sent-1', parentId: 'email-clicked-1', personId: 'person-1' };

describe('chain tokens', () => {
  it('carry the link they were signed with', () => {
    const token = signChainToken('secret-a', link);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyChainToken('secret-a', token)).toEqual(link);
    expect(verifyChainToken('secret-a', signChainToken('secret-a', { ...link, personId: null }))).toEqual({ ...link, personId: null });
  });

  it('are refused when signed with another secret, altered, or not tokens at all', () => {
    const token = signChainToken('secret-a', link);
    expect(verifyChainToken('secret-b', token)).toBeNull();
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...link, rootId: 'someone-else' })).toString('base64url');
    expect(verifyChainToken('secret-a', `${forged}.${mac}`)).toBeNull();
    expect(verifyChainToken('secret-a', `${payload}.${mac.slice(0, -2)}`)).toBeNull();
    for (const junk of ['', '.', 'abc', 'a.b.c', `${payload}.`, `.${mac}`, 'x'.repeat(5000)]) expect(verifyChainToken('secret-a', junk)).toBeNull();
    // Well signed, but not a link: still nothing.
    const notLink = Buffer.from(JSON.stringify({ rootId: 5 })).toString('base64url');
    const signedNotLink = signChainToken('secret-a', link).replace(payload, notLink);
    expect(verifyChainToken('secret-a', signedNotLink)).toBeNull();
    expect(verifyChainToken('', token)).toBeNull();
  });
});

describe("a project's link secret", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is made with the project, kept across restarts, and shown by no project answer', async () => {
    const hark = await startCollector();
    try {
      const secret = hark.project.settings.linkSecret;
      expect(secret).toMatch(/^hk_l_[0-9a-f]{64}$/);
      expect((await hark.store.findProjectById(hark.project.id))!.settings.linkSecret).toBe(secret);
      const answers = [
        await hark.admin('/api/v1/project'),
        await hark.admin('/api/v1/project', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ allowedOrigins: [] }) }),
        await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'verification' }) }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const text = await answer.text();
        expect(text).not.toContain(secret);
        expect(text).not.toContain('linkSecret');
      }
      // Rotating other keys leaves it as it was (tokens already in inboxes keep working).
      expect((await hark.store.findProjectById(hark.project.id))!.settings.linkSecret).toBe(secret);
      // A patch naming it is refused like any unknown setting.
      const patch = await hark.admin('/api/v1/project', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ linkSecret: 'mine' }) });
      expect(patch.status).toBe(400);
    } finally {
      await hark.close();
    }
  });

  it('is filled in by the migration for a project made before it (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-link-'));
    dirs.push(dir);
    const path = join(dir, 'hark.db');
    const old = new Database(path);
    const linkMigration = MIGRATIONS.findIndex((sql) => sql.includes('$.linkSecret'));
    migrate(old, linkMigration);
    old.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, settings, is_default, created_at)
      VALUES ('p1', 'Old', 'hk_w_old', '', 'hash', '{"identityVerification":"off","verificationSecret":"hk_v_x","allowedOrigins":[]}', 1, 0)`).run();
    old.close();
    const store = openSqliteStore({ path });
    const first = (await store.findProjectById('p1'))!.settings.linkSecret;
    expect(first).toMatch(/^hk_l_[0-9a-f]{64}$/);
    expect((await store.findProjectById('p1'))!.settings.linkSecret).toBe(first);
    await store.close();
  });
});

const url = TEST_DATABASE_URL;
if (!url) {
  warnPostgresSkipped("PostgreSQL link secret migration");
  describe.skip(`PostgreSQL link secret migration — ${POSTGRES_SKIPPED}`, () => {
    it('fills the link secret of a project made before it', () => undefined);
  });
} else {
  vi.setConfig({ testTimeout: 20_000, hookTimeout: 20_000 });
  describe('PostgreSQL link secret migration', () => {
    it('fills the link secret of a project made before it', async () => {
      const schema = freshSchema();
      try {
        const first = await openPostgresStore({ url, schema });
        const { project } = await first.ensureDefaultProject({});
        expect(project.settings.linkSecret).toMatch(/^hk_l_/);
        await first.close();
        // As an older Hark left it: no link secret. Then the migration's own statement runs on it.
        const linkMigration = POSTGRES_MIGRATIONS.find((sql) => sql.includes('linkSecret'))!;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`SET search_path TO "${schema}"`);
        await client.query(`UPDATE projects SET settings = (settings::jsonb - 'linkSecret')::text`);
        await client.query(linkMigration);
        await client.end();
        const again = await openPostgresStore({ url, schema });
        const filled = (await again.findProjectById(project.id))!.settings.linkSecret;
        expect(filled).toMatch(/^hk_l_[0-9a-f]{64}$/);
        expect((await again.findProjectById(project.id))!.settings.linkSecret).toBe(filled);
        await again.close();
      } finally {
        await dropSchema(url, schema);
      }
    });
  });
}
