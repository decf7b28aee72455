import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Servers the bench starts in their own processes, so the load generator never shares their
 * event loop, and the temp folders it writes in. Everything started here is stopped by
 * `cleanUp()`, which `run.ts` calls when it ends or fails, or by `cleanUpNow()` on exit and Ctrl-C.
 */

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export interface Server {
  port: number;
  pid: number;
  /** Peak resident memory so far (VmHWM), in bytes; NaN where /proc is missing. */
  peakRss(): number;
  /** CPU time the process has used so far (all its threads, user + system), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** A fresh folder under the system temp dir, removed by `cleanUp()`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hark-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export const BENCH_KEYS = { writeKey: 'hk_w_bench_write_key', secretKey: 'hk_s_bench_secret_key' } as const;

let collectorBuilt = false;

/**
 * The collector as `npm start` runs it: `server.ts` compiled into packages/collector/dist/server.mjs
 * (built once per bench run, in about a second), on a free port, rate limits off.
 * `BENCH_COLLECTOR=source` runs the TypeScript through tsx instead, as the tests do, to compare.
 */
function collectorEntry(): string[] {
  if (process.env.BENCH_COLLECTOR === 'source') return ['--import', 'tsx', join(ROOT, 'packages/collector/src/server.ts')];
  if (!collectorBuilt) {
    execFileSync(process.execPath, [join(ROOT, 'packages/collector/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
    collectorBuilt = true;
  }
  return [join(ROOT, 'packages/collector/dist/server.mjs')];
}

/** The real collector entry, on a free port, rate limits off. */
export async function startCollector(options: { dbPath: string; synchronous?: 'full' | 'normal'; databaseUrl?: string; schema?: string; env?: Record<string, string> }): Promise<Server> {
  // `npm run bench -- --profile` (or BENCH_PROFILE_DIR): a V8 CPU profile per collector process.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  return startServer('collector', [...flags, ...profile, ...collectorEntry()], {
    PORT: '0',
    HOST: '127.0.0.1',
    HARK_DB: options.dbPath,
    HARK_WRITE_KEY: BENCH_KEYS.writeKey,
    HARK_SECRET_KEY: BENCH_KEYS.secretKey,
    HARK_SYNCHRONOUS: options.synchronous ?? 'full',
    HARK_RATE_LIMIT: 'off',
    // The PostgreSQL store instead of the file (bench/postgres.ts), in a schema of the bench's own.
    ...(options.databaseUrl ? { HARK_DATABASE_URL: options.databaseUrl, HARK_DATABASE_SCHEMA: options.schema ?? '' } : {}),
    // Settings a section needs on top (bench/automations.ts: the runner's poll, private webhook targets).
    ...options.env,
  });
}

/** The ceiling: a bare Hono hello-world on @hono/node-server (bench/hello-server.ts). */
export async function startHello(): Promise<Server> {
  return startServer('hello', ['--import', 'tsx', join(ROOT, 'bench/hello-server.ts')], { PORT: '0' });
}

/** Both servers print `…listening on http://127.0.0.1:<port>`; that line says they are ready. */
async function startServer(label: string, args: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before listening:\n${output}`));
    });
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${chunk}`);
  });
  const pid = child.pid!;
  return {
    port,
    pid,
    peakRss: () => readPeakRss(pid),
    cpuMs: () => readCpuMs(pid),
    stop: () => stopChild(child),
  };
}

function readPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | null = null;

function readCpuMs(pid: number): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return Number.NaN;
  }
}

/** SIGTERM (the collector drains and closes its store), SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  await new Promise<void>((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
  children.delete(child);
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
}

/** Synchronous, for `process.on('exit')`: kill what is left and remove temp folders. */
export function cleanUpNow(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export async function cleanUp(): Promise<void> {
  await stopAll();
  cleanUpNow();
}

/** Removes one temp folder now (a big data set copy), instead of at the end. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
