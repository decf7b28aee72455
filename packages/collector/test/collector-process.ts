import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the collector to take). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export interface CollectorProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Everything it printed, for a failing test's message. */
  output: string[];
  /** Resolves when the process has exited (after a SIGKILL, for example). */
  exited: Promise<unknown>;
}

/**
 * The real collector (`server.ts` through tsx, as the other process tests run it) on 127.0.0.1
 * with rate limits off and `env` on top; resolves once it prints that it listens. Every process
 * is added to `children`, so the test file's afterAll can SIGKILL what is left.
 */
export async function spawnCollector(
  env: Record<string, string>,
  children: Set<ChildProcess>,
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<CollectorProcess> {
  const listenOn = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/collector/src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(listenOn), HOST: '127.0.0.1', HARK_RATE_LIMIT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: string[] = [];
  const exited = new Promise((done) => child.once('exit', done));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`the collector did not start in ${startTimeoutMs / 1000} s:\n${output.join('')}`)), startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('listening on')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the collector exited (${child.exitCode ?? child.signalCode}) before listening:\n${output.join('')}`));
    });
  });
  return { child, base: `http://127.0.0.1:${listenOn}`, port: listenOn, output, exited };
}

/** For afterAll: SIGKILLs every process still running. */
export function killAll(children: Set<ChildProcess>): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
