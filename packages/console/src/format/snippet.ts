/**
 * The snippet a site pastes, as packages/sdk/README.md gives it, with this collector's host and
 * the project's real write key filled in.
 */
export function snippetFor(host: string, writeKey: string): string {
  const src = JSON.stringify(`${host}/hark.js`).slice(1, -1).replace(/'/g, "\\'");
  const key = writeKey.replace(/[^A-Za-z0-9_-]/g, '');
  return `<script>
!function(w,d,s){w.hark=w.hark||function(){(w.hark.q=w.hark.q||[]).push([arguments,Date.now()])};s=d.createElement('script');s.async=1;s.src='${src}';s.dataset.writeKey='${key}';d.head.appendChild(s)}(window,document);
</script>`;
}

/** How a server computes `userHash` for identity verification (SECURITY.md). */
export const VERIFICATION_SNIPPET = `import { createHmac } from 'node:crypto';

// On your server, with the verification secret (never in the page):
const userHash = createHmac('sha256', process.env.HARK_VERIFICATION_SECRET)
  .update(user.id)
  .digest('hex');

// In the page:
// hark('identify', user.id, { name: user.name }, { userHash });`;
