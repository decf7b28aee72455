import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Compiles the collector into packages/collector/dist/server.mjs (and a chunk for what it loads
 * only when needed), which `npm start` and `npm run bench` run with plain `node`. Running the TypeScript through tsx
 * instead costs some 40 MiB of resident memory for good (Node 20 runs tsx's loader hooks on a
 * thread of their own, with its own V8 heap and compile caches): a quarter of the 150 MB the
 * collector may hold (docs/BENCHMARKS.md, issue 16). Tests still run the sources.
 *
 * Native and optional drivers stay outside the bundle and are loaded from node_modules as usual;
 * every other dependency is bundled. The banner gives the bundled CommonJS packages `require`.
 */
await build({
  entryPoints: [fileURLToPath(new URL('src/server.ts', import.meta.url))],
  outdir: fileURLToPath(new URL('dist', import.meta.url)),
  outExtension: { '.js': '.mjs' },
  // What server.ts imports only when needed (the PostgreSQL store) goes in a chunk of its own,
  // so the pg driver is not loaded by a collector on SQLite.
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  banner: { js: "import { createRequire as __harkRequire } from 'node:module'; const require = __harkRequire(import.meta.url);" },
  logLevel: 'warning',
});
