// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// then the most inclusive time, so a profile can be read without devtools:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/import-speed.ts --rows=10000
//   node bench/cpuprofile-top.mjs /tmp/prof/CPU.*.cpuprofile [selfRows=30] [inclusiveRows=40]
//
// Under tsx every function's line is 1 (the transformed module), so names and files are what to
// read. Native calls (better-sqlite3's run/get/all) appear as `run :0` etc.
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const dt = new Map();
const byId = new Map(p.nodes.map((n) => [n.id, n]));
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const self = new Map();
let total = 0;
for (const n of p.nodes) {
  const t = dt.get(n.id) ?? 0; total += t;
  const f = n.callFrame; const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
}
// inclusive
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const n of p.nodes) {
  const t = dt.get(n.id) ?? 0; if (!t) continue;
  const seen = new Set();
  let id = n.id;
  while (id !== undefined) { const m = byId.get(id); const f = m.callFrame; const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`; if (!seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) ?? 0) + t); } id = parent.get(id); }
}
console.log('total ms', (total / 1000).toFixed(0));
console.log('--- self');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) console.log((v / 1000).toFixed(0).padStart(7), k);
console.log('--- inclusive');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 40))) console.log((v / 1000).toFixed(0).padStart(7), k);
