import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBuiltScript } from './helpers.js';

/**
 * Size is a feature (DESIGN §7), measured on every run: gzip level 9 of the built files.
 *
 * hark.js is what every visitor downloads before anything else of Hark. The budget was
 * 3,072 bytes; the messages seam (asking the collector, loading the UI) took it past that, and
 * after the savings found (issue 16 the latest) it weighs what README "Size" says. The budget is that
 * figure rounded up by a few bytes, well under DESIGN's 4 KB: the next byte of the core has to be
 * paid for by saving one, or by a reason in the README.
 *
 * hark-ui.js is loaded only when a message is due; DESIGN's budget is 12 KB.
 */
const BUDGETS = { 'hark.js': 3192, 'hark-ui.js': 12 * 1024 };

describe('the built files', () => {
  for (const [name, budget] of Object.entries(BUDGETS)) {
    it(`${name} weighs at most ${budget} bytes gzipped`, () => {
      const gzipped = gzipSync(readBuiltScript(name), { level: 9 }).length;
      console.log(`${name}: ${gzipped} bytes gzipped (budget ${budget})`);
      expect(gzipped, `${name} is ${gzipped} bytes gzipped, over its ${budget}-byte budget`).toBeLessThanOrEqual(budget);
    });
  }
});

describe('the core and the UI', () => {
  it('stay apart: no core file imports the UI, so hark.js carries none of it', () => {
    const core = join(import.meta.dirname, '..', 'src', 'core');
    const imports = readdirSync(core).flatMap((file) => Array.from(readFileSync(join(core, file), 'utf8').matchAll(/from '([^']+)'/g), (m) => `${file}: ${m[1]}`));
    expect(imports.filter((line) => /\bui\b|preact/.test(line))).toEqual([]);
    expect(readBuiltScript('hark.js')).not.toMatch(/hark-frame|preact|__k/);
  });
});
