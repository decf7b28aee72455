import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../packages/collector/src/audiences/imports/index.js';
import { openSqliteStore } from '../packages/collector/src/store/sqlite/sqlite-store.js';
import { benchSegments, benchStream, ingestStream } from './segments-ingest.js';

/**
 * CSV import time with and without segments, in one process, no HTTP: what segments cost an
 * import (each new contact evaluated against every segment, its entries written). Quick to repeat:
 *
 *   node --import tsx bench/import-speed.ts [--rows=20000] [--segments=50] [--rounds=1]
 *
 * Each round imports the same CSV into a fresh store (2,000 people with a history, as in
 * `npm run bench -- --only=audiences`) with 0 and with N segments defined, alternating, and
 * prints the seconds of each, the rows per second, and the ratio (the 0-segment import is the
 * baseline, measured in the same run). The full scenario is in bench/audiences.ts.
 */

/** Wall time, and CPU time of the whole process (less moved by the other load of a shared machine). */
interface Timing {
  ms: number;
  cpuMs: number;
}

async function importOnce(segments: number, rows: number, csv: string): Promise<Timing & { members: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hark-import-speed-'));
  const store = openSqliteStore({ path: join(dir, 'hark.db'), synchronous: 'normal' });
  try {
    const { project } = await store.ensureDefaultProject({});
    const now = Date.now();
    await ingestStream(store, benchStream(43, 2000, 30_000, now - 3_600_000));
    for (const segment of benchSegments(segments)) await store.segments.create(project.id, segment, now);
    await store.segments.idle();
    const list = await store.lists.create(project.id, 'bench', now);
    const job = await store.imports.create(project.id, list.id, now);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await runImport({ imports: store.imports, lists: store.lists, clock: { now: () => Date.now() } }, { projectId: project.id, importId: job.id, listId: list.id, csv });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const done = await store.imports.get(project.id, job.id);
    if (done?.status !== 'done' || done.created !== rows) throw new Error(`The bench import ended ${JSON.stringify({ ...done, rejectedRows: done?.rejectedRows.slice(0, 3) })}`);
    const members = (await store.segments.list(project.id, { limit: 100, cursor: null })).items.reduce((sum, segment) => sum + segment.size, 0);
    return { ms, cpuMs, members };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const value = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rows = value('rows', 20_000);
  const segments = value('segments', 50);
  const rounds = value('rounds', 1);
  // The CSV of bench/audiences.ts.
  const lines = ['name,email,plan,seats'];
  for (let i = 0; i < rows; i++) lines.push(`Person ${i},person${i}@example.com,${i % 3 ? 'free' : 'pro'},${i % 50}`);
  const csv = `${lines.join('\n')}\n`;
  const s = (ms: number): string => (ms / 1000).toFixed(2);
  const without: Timing[] = [];
  const withSegments: Timing[] = [];
  for (let round = 0; round < rounds; round++) {
    const base = await importOnce(0, rows, csv);
    const seg = await importOnce(segments, rows, csv);
    without.push(base);
    withSegments.push(seg);
    console.log(
      `round ${round + 1}: ${rows} rows, 0 segments ${s(base.ms)} s (cpu ${s(base.cpuMs)} s), ${segments} segments ${s(seg.ms)} s (cpu ${s(seg.cpuMs)} s), ` +
        `${Math.round(rows / (seg.ms / 1000))} rows/s; memberships after ${seg.members}`,
    );
  }
  const median = (values: Timing[], key: keyof Timing): number => values.map((t) => t[key]).sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const key of ['ms', 'cpuMs'] as const) {
    const base = median(without, key);
    const seg = median(withSegments, key);
    console.log(
      `median ${key === 'ms' ? 'wall' : 'cpu'}: 0 segments ${s(base)} s, ${segments} segments ${s(seg)} s, ratio ${(seg / base).toFixed(2)}; ` +
        `at this rate 100,000 rows take ${((seg / rows) * 100).toFixed(1)} s`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
