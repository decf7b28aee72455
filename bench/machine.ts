import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem, release } from 'node:os';

/** What the figures were measured on; the report prints it above the table. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  chromium: string | null;
  /** 1-minute load average at the start and end of the run: how busy the shared machine was. */
  loadStart: number;
  loadEnd: number | null;
}

export function describeMachine(): Machine {
  let chromium: string | null = null;
  try {
    // "Chromium 156.0.8078.79 built on Debian GNU/Linux 12 (bookworm)": name and version suffice.
    chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim().split(' ').slice(0, 2).join(' ');
  } catch {
    chromium = null;
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `Linux ${release()}`,
    chromium,
    loadStart: loadavg()[0]!,
    loadEnd: null,
  };
}

export const currentLoad = (): number => loadavg()[0]!;
