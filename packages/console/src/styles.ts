/**
 * The console's stylesheet. Colours meet WCAG AA contrast on their backgrounds; focus is always
 * visible; one column below 760 px (phones are 390 px wide).
 */
export const CSS = `
*,*::before,*::after{box-sizing:border-box}
:root{--ink:#0f172a;--muted:#475569;--line:#cbd5e1;--soft:#f1f5f9;--bg:#f8fafc;--accent:#0f766e;--accent-ink:#fff;--bad:#b91c1c;--ok:#166534}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:#0f5f59}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
main:focus{outline:none}
h1{font-size:24px;margin:0 0 16px}
h2{font-size:18px;margin:24px 0 8px}
h3{font-size:15px;margin:16px 0 6px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:8px;z-index:10}
.skip:focus{left:8px}
.progress{position:fixed;top:0;left:0;right:0;height:3px;z-index:20}
.progress.on{background:linear-gradient(90deg,var(--accent) 0 40%,transparent 40%);background-size:200% 100%;animation:slide 1s linear infinite}
@keyframes slide{from{background-position:100% 0}to{background-position:-100% 0}}
@media (prefers-reduced-motion:reduce){.progress.on{animation:none;background:var(--accent)}}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:10px 24px;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;color:var(--ink);text-decoration:none;font-size:17px}
.brand span{font-weight:400;color:var(--muted);margin-left:6px}
header nav ul{display:flex;gap:4px;list-style:none;margin:0;padding:0;flex-wrap:wrap}
header nav a,.me{display:inline-block;padding:6px 10px;border-radius:6px;color:var(--ink);text-decoration:none}
header nav a[aria-current=page],.me[aria-current=page]{background:var(--soft);font-weight:600}
.me{margin-left:auto}
.role{font-size:12px;color:var(--muted);border:1px solid var(--line);border-radius:10px;padding:0 6px;margin-left:4px}
main{max-width:1120px;margin:0 auto;padding:24px}
main.bare{max-width:440px;padding-top:64px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:0 0 16px}
.card>h2:first-child,.card>h1:first-child{margin-top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
.editor{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,420px);gap:24px;align-items:start}
.sticky{position:sticky;top:16px}
.field{margin:0 0 12px}
.field label{display:block;font-weight:600;margin:0 0 4px}
.field.inline{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.field.inline label{margin:0;font-weight:400}
.field.inline .field-error,.field.inline .hint{flex-basis:100%}
input,select,textarea,button{font:inherit;color:inherit}
input:not([type=checkbox]):not([type=radio]),select,textarea{width:100%;padding:7px 9px;border:1px solid #64748b;border-radius:6px;background:#fff}
.has-error input,.has-error select,.has-error textarea{border-color:var(--bad)}
.field-error{color:var(--bad);margin:4px 0 0;font-size:14px}
.hint{color:var(--muted);margin:4px 0 0;font-size:14px}
button,.button{display:inline-block;padding:7px 14px;border-radius:6px;border:1px solid #64748b;background:#fff;cursor:pointer;text-decoration:none;color:var(--ink)}
a.button[aria-current=page]{background:var(--soft);border-color:var(--ink);font-weight:600}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-ink)}
button.danger{color:var(--bad);border-color:var(--bad)}
button:disabled{opacity:.6;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:12px 0}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
.row>.field{flex:1 1 160px;max-width:520px}
.trait-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.4fr) auto;gap:8px;align-items:end}
.notice{border-radius:8px;padding:10px 14px;margin:0 0 12px}
.notice p{margin:0}
.notice ul{margin:6px 0 0;padding-left:20px}
.notice.error{background:#fef2f2;border:1px solid #fca5a5;color:#7f1d1d}
.notice.ok{background:#f0fdf4;border:1px solid #86efac;color:var(--ok)}
.empty{background:#fff;border:1px dashed #94a3b8;border-radius:10px;padding:24px;text-align:center}
.empty h2{margin-top:0}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-size:13px;color:var(--muted);font-weight:600}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px}
.pager{display:flex;gap:12px;align-items:center;margin:12px 0}
.badge{display:inline-block;font-size:12px;border-radius:10px;padding:1px 8px;background:var(--soft);border:1px solid var(--line)}
.badge.live{background:#dcfce7;border-color:#86efac;color:#14532d}
.badge.paused{background:#fef9c3;border-color:#fde047;color:#713f12}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
pre{background:#0f172a;color:#e2e8f0;padding:12px;border-radius:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
dl.props{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.props dt{color:var(--muted)}
dl.props dd{margin:0;overflow-wrap:anywhere}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{border-left:3px solid var(--line);padding:6px 12px;margin:0 0 8px;background:#fff}
.timeline .what{font-weight:600}
.chain{margin:4px 0 0;padding-left:18px}
.chain [aria-current]{text-decoration:underline}
.preview{border:1px solid var(--line);border-radius:10px;background:#fff;overflow:hidden}
.preview iframe{display:block;border:0;width:100%;height:440px;background:var(--soft)}
.split{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;align-items:start}
.email-preview{display:block;border:1px solid var(--line);width:100%;height:480px;background:#fff}
.email-text{white-space:pre-wrap;max-height:320px;overflow:auto}
.preview.phone iframe{width:390px;max-width:100%;margin:0 auto}
fieldset{border:1px solid var(--line);border-radius:10px;margin:0 0 16px;padding:12px 16px;background:#fff}
legend{font-weight:700;padding:0 6px}
.cond{display:grid;grid-template-columns:1fr 1fr 1fr auto;gap:8px;align-items:end;margin:0 0 8px}
figure.chart{margin:0}
figure.chart svg{max-width:460px;display:block}
figure.chart svg.wide{max-width:720px}
.legend{display:flex;gap:16px;list-style:none;margin:6px 0;padding:0;font-size:13px;color:var(--muted)}
.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.chart text{font-size:12px;fill:#475569}
.live-dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:#f59e0b;margin-right:6px}
.live-dot.ok{background:#16a34a}
.rule-builder fieldset{margin:0 0 8px;padding:8px 12px}
.rule-group{border-left:4px solid var(--accent)}
.rule-group .rule-group{border-left-color:#7c3aed;background:#faf5ff}
.rule-group .rule-group .rule-group{border-left-color:#b45309;background:#fffbeb}
.rule-leaf{background:var(--bg)}
.rule-leaf.has-error,.rule-group.has-error{border-color:var(--bad)}
.rule-children{list-style:none;margin:0;padding:0}
.rule-builder .cond{grid-template-columns:repeat(auto-fit,minmax(150px,1fr))}
.rule-builder .where{grid-column:1/-1}
.rule-builder ul.field-error{margin:4px 0;padding-left:18px}
.steps{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid var(--line)}
.step{margin:0 0 10px}
.step-card{padding:10px 12px}
.step-card>header{align-items:center;gap:12px}
.step-card .row{align-items:flex-end}
.branches{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:8px}
.branches h4{margin:4px 0;font-size:14px}
.weekdays{display:flex;flex-wrap:wrap;gap:6px}
.add-condition select{width:auto}
.count-line{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px;margin:0}
.big{font-size:28px}
progress{width:100%;max-width:320px;height:10px;accent-color:var(--accent)}
.fill{display:inline-flex;align-items:center;gap:6px}
.fill progress{width:90px}
.inline-choice{margin-right:16px}
ul.plain{list-style:none;margin:0;padding:0}
@media (max-width:760px){
  .branches{grid-template-columns:1fr}
  .rule-builder fieldset{padding:6px 8px}
  .rule-group .rule-group{margin-left:0}
  main{padding:16px}
  header.top{padding:8px 12px}
  .me{margin-left:0}
  .editor{grid-template-columns:1fr}
  .split{grid-template-columns:1fr}
  .cond{grid-template-columns:1fr 1fr}
  .preview.phone iframe{width:100%}
}
`;
