import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snippetFor } from '../src/format/snippet.js';

describe('the first-run snippet', () => {
  it('is the App README’s snippet, with the host and write key filled in', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'sdk', 'README.md'), 'utf8');
    const block = /<!-- snippet:start -->\s*```html\n([\s\S]*?)```\s*<!-- snippet:end -->/.exec(readme)?.[1]?.trim();
    expect(block).toBeTruthy();
    expect(snippetFor('https://hark.example.com', 'YOUR_WRITE_KEY')).toBe(block);
    expect(snippetFor('http://127.0.0.1:8787', 'hk_w_abc')).toContain("s.src='http://127.0.0.1:8787/hark.js';s.dataset.writeKey='hk_w_abc'");
  });

  it('cannot be broken out of by a strange key or host', () => {
    const text = snippetFor("https://x.test/'-alert(1)-'", "k'</script><script>alert(1)//");
    expect(text).toContain("s.src='https://x.test/\\'-alert(1)-\\'/hark.js'");
    expect(text.match(/<\/script>/g)).toHaveLength(1);
  });
});
