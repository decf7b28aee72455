import pg from 'pg';

/** A pool or one checked-out client: both run a query the same way. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * The SQL in this folder is written with SQLite's `@name` parameters, so a statement reads the
 * same in both stores; this turns it into PostgreSQL's `$1 … $n` once per statement text.
 * (No statement here contains a literal `@`.)
 */
const compiled = new Map<string, { text: string; names: string[] }>();
function compile(sql: string): { text: string; names: string[] } {
  let entry = compiled.get(sql);
  if (!entry) {
    const names: string[] = [];
    const text = sql.replace(/@(\w+)/g, (_, name: string) => {
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      return `$${index + 1}`;
    });
    entry = { text, names };
    compiled.set(sql, entry);
  }
  return entry;
}

export type Params = Record<string, unknown> | unknown[];

/** Runs one statement; positional (`$1`) with an array, named (`@name`) with an object. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(db: Queryable, sql: string, params: Params = []): Promise<pg.QueryResult<R>> {
  if (Array.isArray(params)) return db.query<R>(sql, params);
  const { text, names } = compile(sql);
  return db.query<R>(text, names.map((name) => (params[name] === undefined ? null : params[name])));
}

export async function rows<R extends pg.QueryResultRow = Record<string, unknown>>(db: Queryable, sql: string, params?: Params): Promise<R[]> {
  return (await query<R>(db, sql, params)).rows;
}

export async function one<R extends pg.QueryResultRow = Record<string, unknown>>(db: Queryable, sql: string, params?: Params): Promise<R | undefined> {
  return (await query<R>(db, sql, params)).rows[0];
}

/** Rows changed by a write. */
export async function changes(db: Queryable, sql: string, params?: Params): Promise<number> {
  return (await query(db, sql, params)).rowCount ?? 0;
}

/**
 * Epoch milliseconds are BIGINT and counts are BIGINT or NUMERIC; pg hands both back as strings
 * (they may exceed 2^53). Every such value here is a time or a count far below that, so this
 * pool parses them as numbers and the row mappers stay the ones SQLite uses. Set per pool, not
 * on pg's global `types`, so nothing else in the process is affected.
 */
export const NUMBER_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string } | null)?.code === '23505';

/** Quotes an identifier (a schema name) for SQL. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Runs `work` in one transaction on one pooled client: BEGIN … COMMIT, ROLLBACK on throw. The
 * promise resolves after COMMIT returns, which with `synchronous_commit = on` means the commit
 * is flushed to the WAL on disk.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    // A client whose ROLLBACK failed is in an unknown state: drop it rather than reuse it.
    client.release(broken);
  }
}
