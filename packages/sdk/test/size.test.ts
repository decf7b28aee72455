import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBuiltScript } from './helpers.js';

/** The budget for the core: what a visitor downloads before anything else of Hark. */
const BUDGET_BYTES = 3 * 1024;

describe('hark.js', () => {
  it(`weighs at most ${BUDGET_BYTES} bytes gzipped`, () => {
    const gzipped = gzipSync(readBuiltScript(), { level: 9 }).length;
    console.log(`hark.js: ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
    expect(gzipped, `hark.js is ${gzipped} bytes gzipped, over its ${BUDGET_BYTES}-byte budget`).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
