import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/postgres-migrations.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/** The PostgreSQL store's own versioned migrations: run once, reopened as they are, refused when newer. */
const url = TEST_DATABASE_URL;

if (!url) {
  warnPostgresSkipped('PostgreSQL migrations');
  describe.skip(`PostgreSQL migrations — ${POSTGRES_SKIPPED}`, () => {
    it('migrates once, reopens, refuses a newer schema', () => undefined);
  });
} else {
  vi.setConfig({ testTimeout: 20_000, hookTimeout: 20_000 });
  describe('PostgreSQL migrations', () => {
    const schemas: string[] = [];
    const schema = (): string => {
      const name = freshSchema();
      schemas.push(name);
      return name;
    };
    afterEach(async () => {
      for (const name of schemas.splice(0)) await dropSchema(url, name);
    });
    const versions = async (name: string): Promise<number[]> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ version: number }>(`SELECT version FROM "${name}".hark_migrations ORDER BY version`)).rows.map((row) => row.version);
      } finally {
        await client.end();
      }
    };

    it('records each version once, and a reopened store keeps its data', async () => {
      const name = schema();
      const first = await openPostgresStore({ url, schema: name });
      const { project } = await first.ensureDefaultProject({});
      await first.close();
      const again = await openPostgresStore({ url, schema: name });
      const reopened = await again.ensureDefaultProject({});
      await again.close();
      expect(reopened).toMatchObject({ created: false, project: { id: project.id, writeKey: project.writeKey } });
      expect(await versions(name)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    });

    it('refuses a schema written by a newer Hark, saying so', async () => {
      const name = schema();
      await (await openPostgresStore({ url, schema: name })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`INSERT INTO "${name}".hark_migrations (version, applied_at) VALUES (999, 0)`);
      await client.end();
      await expect(openPostgresStore({ url, schema: name })).rejects.toThrow(/newer Hark \(schema 999/);
    });

    it('refuses a schema name it would have to quote', async () => {
      await expect(openPostgresStore({ url, schema: 'Robert"; DROP' })).rejects.toThrow(/plain lower-case identifier/);
    });
  });
}
