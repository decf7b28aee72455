import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The console's first page is index.html plus console.js: at most 80 KB gzipped (issue 14). Run
 * after `npm run build`, as `npm test` does.
 */
const BUDGET = 80 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');

describe('the built console', () => {
  it(`weighs at most ${BUDGET} bytes gzipped for its first page`, () => {
    expect(existsSync(join(dist, 'console.js')), 'packages/console/dist/console.js is missing: run npm run build').toBe(true);
    const bytes = ['index.html', 'console.js'].reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0);
    console.log(`console first page: ${bytes} bytes gzipped (budget ${BUDGET})`);
    expect(bytes).toBeLessThanOrEqual(BUDGET);
  });

  it('renders no HTML from data: no source uses dangerouslySetInnerHTML or innerHTML', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
    const offenders = files(join(import.meta.dirname, '..', 'src')).filter((file) => /dangerouslySetInnerHTML|\.innerHTML|insertAdjacentHTML/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('imports nothing of the collector or the App: only @hark/protocol types, preact and preact-iso', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
    const imports = files(src).flatMap((file) => Array.from(readFileSync(file, 'utf8').matchAll(/^import [^;]*?from '([^']+)'/gm), (m) => m[1]!));
    expect(imports.filter((name) => !name.startsWith('.') && !['preact', 'preact/hooks', 'preact-iso', '@hark/protocol'].includes(name))).toEqual([]);
  });
});
