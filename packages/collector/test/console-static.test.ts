import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
const roots: string[] = [];
afterEach(async () => {
  await hark?.close();
  roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true }));
});

const expectConsoleHeaders = (res: Response) => {
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
};

describe('the console at /console', () => {
  it('says it was not built when its folder is missing', async () => {
    hark = await startCollector({ app: { static: { consoleDir: '/nonexistent/console/dist' } } });
    const res = await hark.app.request('/console');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('The console was not built');
    expectConsoleHeaders(res);
  });

  it('serves its files, and its index.html for any page path, with strict security headers', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hark-console-'));
    roots.push(root);
    const dir = join(root, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/app.js"></script>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'outside');
    hark = await startCollector({ app: { static: { consoleDir: dir } } });

    for (const path of ['/console', '/console/', '/console/contacts/abc', '/console/setup?token=x']) {
      const res = await hark.app.request(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('/console/assets/app.js');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectConsoleHeaders(res);
    }
    const script = await hark.app.request('/console/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expectConsoleHeaders(script);

    expect((await hark.app.request('/console/assets/missing.js')).status).toBe(404);
    for (const path of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt']) {
      const res = await hark.app.request(path);
      expect(await res.text(), path).not.toContain('outside');
    }
  });
});
