import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';

/** The collector serves the App's bundles compressed, as every visitor downloads them from it by default. */

let hark: TestCollector;
let sdkDir: string;
const script = `(function(){${'window.hark = window.hark || function () {};\n'.repeat(200)}})();`;

beforeEach(async () => {
  sdkDir = mkdtempSync(join(tmpdir(), 'hark-sdk-'));
  writeFileSync(join(sdkDir, 'hark.js'), script);
  hark = await startCollector({ app: { static: { sdkDir } } });
});
afterEach(async () => {
  await hark.close();
  rmSync(sdkDir, { recursive: true, force: true });
});

const get = (encoding?: string) => hark.app.request('/hark.js', { headers: encoding ? { 'accept-encoding': encoding } : {} });

describe('the App bundle over HTTP', () => {
  it('is sent brotli or gzip compressed when the browser takes it, and as is otherwise', async () => {
    const br = await get('gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brotliDecompressSync(brBytes).toString()).toBe(script);
    expect(brBytes.length).toBeLessThan(script.length / 5);

    const gzip = await get('gzip, deflate');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(script);

    const plain = await get();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    expect(plain.headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves a rebuilt bundle at once, compressed afresh', async () => {
    await (await get('gzip')).arrayBuffer();
    writeFileSync(join(sdkDir, 'hark.js'), 'window.rebuilt = true;');
    expect(gunzipSync(Buffer.from(await (await get('gzip')).arrayBuffer())).toString()).toBe('window.rebuilt = true;');
  });
});
