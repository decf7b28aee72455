import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  synchronous: 'full' | 'normal';
  writeKey?: string;
  secretKey?: string;
  sdkDir: string;
  demoDir: string;
}

/** Reads the environment once, at start. Everything else receives its settings from here. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}".`);
  const synchronous = (env.HARK_SYNCHRONOUS ?? 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error('HARK_SYNCHRONOUS must be "full" or "normal".');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dbPath: resolve(env.HARK_DB ?? resolve(root, 'data', 'hark.db')),
    synchronous,
    ...(env.HARK_WRITE_KEY ? { writeKey: env.HARK_WRITE_KEY } : {}),
    ...(env.HARK_SECRET_KEY ? { secretKey: env.HARK_SECRET_KEY } : {}),
    sdkDir: resolve(root, 'packages', 'sdk', 'dist'),
    demoDir: resolve(root, 'examples', 'demo'),
  };
}
