import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IMPORT_CHUNK_ROWS, IMPORT_MIN_CHUNK_ROWS, nextChunkRows } from '../src/audiences/imports/index.js';
import { IMPORT_SILENT_MS } from '../src/store/postgres/postgres-imports.js';
import { mid, startCollector as startOn, storeKinds, type CollectorOptions, type TestCollector } from './harness.js';
import { POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

// A PostgreSQL collector migrates a fresh schema per test; its imports pay a round trip per statement.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
if (!TEST_DATABASE_URL) warnPostgresSkipped('CSV import on PostgreSQL');

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

async function json<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const answer = await res;
  const body = await answer.json();
  expect(answer.status, JSON.stringify(body)).toBe(status);
  return body as T;
}
async function newList(name = 'Newsletter'): Promise<string> {
  const res = await hark.admin('/api/v1/lists', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  return (await json(res, 201)).id;
}
const upload = (listId: string, body: BodyInit, type: string, query = '') =>
  hark.admin(`/api/v1/lists/${listId}/import${query}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });

/**
 * Waits until the job has ended. The job runs on real I/O (a commit per chunk), which no test
 * clock can hurry, so this polls every 20 ms of real time; polling on every turn of the event
 * loop instead would spend the CPU the import needs.
 */
async function finished(importId: string): Promise<any> {
  for (;;) {
    const job = await json(hark.admin(`/api/v1/imports/${importId}`));
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
async function importCsv(listId: string, csv: string | Buffer, type = 'text/csv', query = ''): Promise<any> {
  const started = await json(upload(listId, typeof csv === 'string' ? csv : new Uint8Array(csv), type, query), 202);
  expect(started.id).toMatch(/^[0-9a-f-]{36}$/);
  return finished(started.id);
}
async function listPeople(listId: string): Promise<any[]> {
  const people: any[] = [];
  let cursor = '';
  for (;;) {
    const page = await json(hark.admin(`/api/v1/lists/${listId}/people?limit=200${cursor ? `&cursor=${cursor}` : ''}`));
    people.push(...page.items);
    if (!page.nextCursor) return people;
    cursor = page.nextCursor;
  }
}

describe('import chunk size', () => {
  it('shrinks a chunk that held the store too long and grows a quick one, within bounds', () => {
    // 500 rows in 500 ms (50 segments): the next chunk holds ingest for about 50 ms.
    expect(nextChunkRows(500, 500)).toBe(50);
    expect(nextChunkRows(100, 5_000)).toBe(IMPORT_MIN_CHUNK_ROWS);
    // Quick chunks grow, at most doubling, up to the ceiling.
    expect(nextChunkRows(100, 1)).toBe(200);
    expect(nextChunkRows(400, 1)).toBe(IMPORT_CHUNK_ROWS);
    expect(nextChunkRows(50, 0)).toBe(100);
  });
});

describe.each(storeKinds())('CSV import onto a list, on $name', ({ name, url }) => {
  const startCollector = (options: CollectorOptions = {}) => startOn({ ...options, ...(url ? { postgres: url } : {}) });
  it('imports a `;` file with a BOM and CRLF, rejects rows without a name or a valid email by line, and never duplicates a contact', async () => {
    hark = await startCollector();
    await hark.send('/v1/batch', {
      batch: [{ type: 'identify', messageId: mid(), userId: 'u-ann', anonymousId: 'a-ann', traits: { email: 'ann@example.com', name: 'Ann', plan: 'free' } }],
    });
    const ann = await json(hark.admin('/api/v1/people/lookup?userId=u-ann'));
    const listId = await newList();
    const csv = [
      '\uFEFFFirst name;Last name;E-mail;Phone;Company;Plan',
      'Ann;Lee;ANN@example.com;+1 555;Acme;pro', // line 2: the existing user, updated
      'Bob;;bob@example.com;;Acme;', // 3: new lead
      ';;nobody@example.com;;;', // 4: no name
      'Carl;;;;;', // 5: no email
      'Dora;;dora@;;;', // 6: bad email
      '', // 7: blank, skipped
      '"Eve; the second";;eve@example.com;;"Globex";trial', // 8
      'Bob;Again;bob@EXAMPLE.com;;;gold', // 9: same email twice in the file
    ].join('\r\n');
    const job = await importCsv(listId, csv);
    expect(job).toMatchObject({ status: 'done', listId, rowsRead: 7, created: 2, updated: 2, rejected: 3, error: null });
    expect(job.rejectedRows).toEqual([
      { line: 4, reason: 'missing name' },
      { line: 5, reason: 'missing email' },
      { line: 6, reason: 'invalid email "dora@"' },
    ]);
    expect(job.finishedAt).not.toBeNull();

    const people = await listPeople(listId);
    expect(people.map((p) => p.email).sort()).toEqual(['ann@example.com', 'bob@example.com', 'eve@example.com']);
    const annNow = await json(hark.admin(`/api/v1/people/${ann.id}`));
    expect(annNow).toMatchObject({ kind: 'user', userId: 'u-ann', name: 'Ann Lee', traits: { plan: 'free', phone: '+1 555', Plan: 'pro' } });
    expect(annNow.companies.map((c: { name: string }) => c.name)).toEqual(['Acme']);
    const bob = await json(hark.admin('/api/v1/people/lookup?email=bob@example.com'));
    expect(bob).toMatchObject({ kind: 'lead', name: 'Bob Again', traits: { Plan: 'gold' } });
    expect((await json(hark.admin('/api/v1/people?q=bob'))).items).toHaveLength(1);
    const eve = await json(hark.admin('/api/v1/people/lookup?email=eve@example.com'));
    expect(eve).toMatchObject({ kind: 'lead', name: 'Eve; the second' });
    // One Acme for both rows, found again by name.
    const companies = await json(hark.admin('/api/v1/companies?q=acme'));
    expect(companies.items.map((c: { name: string; size: number }) => [c.name, c.size])).toEqual([['Acme', 2]]);

    // Importing the same file again creates nobody.
    const again = await importCsv(listId, csv);
    expect(again).toMatchObject({ status: 'done', created: 0, updated: 4, rejected: 3 });
    expect(await listPeople(listId)).toHaveLength(3);
  });

  it('does not re-create an erased contact', async () => {
    hark = await startCollector();
    const listId = await newList();
    const first = await importCsv(listId, 'name,email,user id\nGone,gone@example.com,u-gone\nKept,kept@example.com,\n');
    expect(first).toMatchObject({ created: 2 });
    const gone = await json(hark.admin('/api/v1/people/lookup?email=gone@example.com'));
    await json(hark.admin(`/api/v1/people/${gone.id}`, { method: 'DELETE' }));

    const job = await importCsv(listId, 'name,email,user id\nGone,GONE@example.com,\nOther,other@example.com,u-gone\nKept,kept@example.com,\n');
    expect(job).toMatchObject({ status: 'done', created: 0, updated: 1, rejected: 2 });
    expect(job.rejectedRows).toEqual([
      { line: 2, reason: 'this email belongs to a person erased on request' },
      { line: 3, reason: 'this user id belongs to a person erased on request' },
    ]);
    expect((await hark.admin('/api/v1/people/lookup?email=gone@example.com')).status).toBe(404);
    expect((await listPeople(listId)).map((p) => p.email)).toEqual(['kept@example.com']);
  });

  it('stops at a malformed line with a clear error, keeping and reporting the rows before it', async () => {
    hark = await startCollector();
    const listId = await newList();
    const rows = Array.from({ length: 1200 }, (_, i) => `Person ${i},p${i}@example.com`);
    const csv = ['name,email', ...rows, 'Broken,"broken@example.com', ...rows.slice(0, 5)].join('\n');
    const job = await importCsv(listId, csv);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^The file is not valid CSV at line \d+: .*The rows before it were imported\.$/);
    expect(job).toMatchObject({ rowsRead: 1200, created: 1200, rejected: 0 });
    expect(await listPeople(listId)).toHaveLength(1200);

    const noEmail = await importCsv(listId, 'name,phone\nAnn,1\n');
    expect(noEmail).toMatchObject({ status: 'failed', rowsRead: 0, error: expect.stringMatching(/No column holds the email/) });
  });

  // 10 MB on SQLite (issue 11's size); on PostgreSQL, where each contact costs round trips, 150 kB
  // (a few thousand rows, several chunks) holds the same behaviour within a test's time.
  it(`imports a ${name === 'SQLite' ? '10 MB' : '150 kB'} file in chunks while ingest goes on`, async () => {
    hark = await startCollector();
    const listId = await newList();
    const lines = ['email,name,city,plan,note'];
    const bytes = name === 'SQLite' ? 10 * 1024 * 1024 : 150 * 1024;
    for (let i = 0, size = lines[0]!.length; size < bytes; i++) {
      const line = `user${i}@example.com,User ${i},City ${i % 100},${i % 3 ? 'free' : 'pro'},${'x'.repeat(60)}`;
      lines.push(line);
      size += line.length + 1;
    }
    const csv = lines.join('\n');
    const started = await json(upload(listId, csv, 'text/csv'), 202);
    // Ingest is answered while the import runs.
    const ingest = await hark.send('/v1/batch', { batch: [{ type: 'track', event: 'During', messageId: mid(), anonymousId: 'a-during' }] });
    expect((await ingest.json()).accepted).toBe(1);
    const job = await finished(started.id);
    expect(job).toMatchObject({ status: 'done', rowsRead: lines.length - 1, created: lines.length - 1, rejected: 0 });
    const sample = await json(hark.admin('/api/v1/people/lookup?email=user1234@example.com'));
    expect(sample).toMatchObject({ kind: 'lead', name: 'User 1234', traits: { city: 'City 34', plan: 'free' } });
    expect((await json(hark.admin(`/api/v1/lists/${listId}`))).size).toBe(lines.length - 1);
  }, 120_000);

  it('takes a multipart upload, pasted rows as JSON and a mapping, and refuses what it cannot read', async () => {
    hark = await startCollector({ app: { importMaxBytes: 4096 } });
    const listId = await newList();
    const form = new FormData();
    form.set('file', new File(['Courriel,Qui,Niveau\nann@example.com,Ann,3\n'], 'contacts.csv', { type: 'text/csv' }));
    form.set('mapping', JSON.stringify({ Courriel: 'email', Qui: 'name', Niveau: 'trait:level' }));
    const multipart = await json(hark.admin(`/api/v1/lists/${listId}/import`, { method: 'POST', body: form }), 202);
    expect(await finished(multipart.id)).toMatchObject({ status: 'done', created: 1 });
    expect((await json(hark.admin('/api/v1/people/lookup?email=ann@example.com'))).traits).toEqual({ name: 'Ann', level: '3' });

    const pasted = await importCsv(listId, JSON.stringify({ csv: 'Mail\tWho\nbob@example.com\tBob', mapping: { Mail: 'email', Who: 'name' } }), 'application/json');
    expect(pasted).toMatchObject({ status: 'done', created: 1 });
    const viaQuery = await importCsv(listId, 'm,n\ncy@example.com,Cy\n', 'text/csv', `?mapping=${encodeURIComponent(JSON.stringify({ m: 'email', n: 'name' }))}`);
    expect(viaQuery).toMatchObject({ status: 'done', created: 1 });
    expect(await listPeople(listId)).toHaveLength(3);

    const tooBig = await json(upload(listId, `name,email\n${'x'.repeat(5000)}`, 'text/csv'), 413);
    expect(tooBig.error.code).toBe('payload_too_large');
    expect((await json(upload(listId, 'a', 'image/png'), 415)).error.code).toBe('unsupported_media_type');
    expect((await json(upload('no-such-list', 'name,email', 'text/csv'), 404)).error.code).toBe('not_found');
    const badMapping = await json(upload(listId, JSON.stringify({ csv: 'a,b', mapping: { a: 'mail' }, extra: 1 }), 'application/json'), 400);
    expect(badMapping.error.fields).toEqual({ extra: 'is not a known field' });
    const badTarget = await json(upload(listId, JSON.stringify({ csv: 'a,b', mapping: { a: 'mail' } }), 'application/json'), 400);
    expect(Object.keys(badTarget.error.fields)).toEqual(['mapping.a']);
    expect((await json(upload(listId, JSON.stringify({}), 'application/json'), 400)).error.fields).toHaveProperty('csv');
    const noFile = new FormData();
    noFile.set('mapping', '{}');
    expect((await json(hark.admin(`/api/v1/lists/${listId}/import`, { method: 'POST', body: noFile }), 400)).error.fields).toHaveProperty('file');
    expect((await hark.admin('/api/v1/imports/nope')).status).toBe(404);
  });

  it.runIf(name === 'SQLite')('marks an import that a restart interrupted as failed, not running forever', async () => {
    hark = await startCollector();
    const listId = await newList();
    const job = await hark.store.imports.create(hark.project.id, listId, hark.clock.now());
    await hark.store.close();
    const { dir, project } = hark;
    hark = await startCollector({ dir, secretKey: project.secretKey });
    // The harness keeps a folder it was handed; remove it with this collector.
    const close = hark.close;
    hark.close = async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    };
    const after = await json(hark.admin(`/api/v1/imports/${job.id}`));
    expect(after).toMatchObject({ status: 'failed', error: expect.stringMatching(/restarted/) });
  });

  // Several collectors: a start says nothing about another's imports, so silence does (postgres-imports.ts).
  it.runIf(name === 'PostgreSQL')('marks an import whose collector went silent as failed, not running forever', async () => {
    hark = await startCollector();
    const listId = await newList();
    const job = await hark.store.imports.create(hark.project.id, listId, hark.clock.now());
    await hark.store.imports.report(job.id, { status: 'running', rowsRead: 0, created: 0, updated: 0, rejected: 0, newRejections: [] });
    hark.clock.advance(IMPORT_SILENT_MS - 1000);
    expect(await json(hark.admin(`/api/v1/imports/${job.id}`))).toMatchObject({ status: 'running', error: null });
    hark.clock.advance(2000);
    expect(await json(hark.admin(`/api/v1/imports/${job.id}`))).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped during it/), finishedAt: expect.any(String) });
  });
});

if (!TEST_DATABASE_URL) {
  describe.skip(`CSV import onto a list, on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('runs every import test on PostgreSQL', () => undefined);
  });
}
