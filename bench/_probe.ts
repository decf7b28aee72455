import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_KEYS, ROOT, startCollector, tempDir } from './processes.js';

const variant = process.argv[2] ?? 'hark';
const collector = await startCollector({ dbPath: join(tempDir('probe'), 'hark.db') });
const origin = `http://127.0.0.1:${collector.port}`;
const heads: Record<string, string> = {
  hark: `<script>!function(w,d,s){w.hark=w.hark||function(){(w.hark.q=w.hark.q||[]).push([arguments,Date.now()])};s=d.createElement('script');s.async=1;s.src='${origin}/hark.js';s.dataset.writeKey='${BENCH_KEYS.writeKey}';d.head.appendChild(s)}(window,document);</script>`,
  external: `<script async src="/noop.js"></script>`,
  externalCross: `<script async src="${origin}/hark.js?x" data-write-key="nope"></script>`,
};
const server = createServer((req, res) => {
  if (req.url === '/noop.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(process.env.NOOP ?? 'window.x=1;'); return; }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(`<!doctype html><html><head>${heads[variant]}</head><body><p>hi</p></body></html>`);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
for (let round = 0; round < 4; round++) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await tab.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
  await tab.waitForTimeout(1500);
  const { profile } = (await cdp.send('Profiler.stop')) as any;
  const { metrics } = await cdp.send('Performance.getMetrics');
  const script = (metrics.find((m: any) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
  // self time per function
  const self = new Map<string, number>();
  const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const dt: number[] = profile.timeDeltas;
  profile.samples.forEach((id: number, i: number) => {
    const n = byId.get(id); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const top = [...self.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`round ${round} ${variant}: ScriptDuration ${script.toFixed(1)} ms`);
  for (const [k, v] of top) console.log(`   ${v.toFixed(1)} ms  ${k}`);
  await context.close();
}
await browser.close(); server.close(); await collector.stop();
