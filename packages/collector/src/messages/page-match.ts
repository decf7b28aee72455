import { RE2JS } from 're2js';

/**
 * The two page-rule matchers whose cost an attacker could otherwise choose. The URL they run
 * against comes from the public `GET /v1/messages?url=` (up to 2,048 characters), so a rule that
 * backtracks lets any visitor hold the event loop (issue 9: the glob `/*\/*\/*\/*\/settings`
 * compiled to a JavaScript regex took 1.7 s on a 300-slash URL; a dozen `*` took over 20 s).
 * Both matchers here take time linear in the URL whatever the rule.
 */

/** A compiled glob: true when `text` matches the whole pattern, where `*` stands for any run of characters. */
export type GlobMatcher = (text: string) => boolean;

/**
 * `*` matches any run of characters (slashes included), everything else matches itself. The
 * pattern is split at its stars once; a text matches when it starts with the first piece, ends
 * with the last, and holds the pieces between in order without overlap. Taking each middle piece
 * at its left-most place is always right (an earlier end leaves more room for the rest), so there
 * is nothing to backtrack: one left-to-right pass over the text.
 */
export function compileGlob(pattern: string): GlobMatcher {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (text) => text === pattern;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixed = first.length + last.length;
  return (text) => {
    if (text.length < fixed || !text.startsWith(first) || !text.endsWith(last)) return false;
    const end = text.length - last.length;
    let at = first.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/**
 * RE2's time is linear in the text, times the size of the compiled program: `.{1000}` is a
 * thousand steps for every character of the URL. A 500-character pattern of counted repeats
 * compiles to some 60,000 steps and took about 2 s on a 2,048-character URL, so the program is
 * capped too: 500 steps per rule (a few milliseconds at worst on the longest URL; a rule such as
 * `^https://app\.example\.com/(settings|billing)/\d+$` is about 60), 1,000 for all the regex
 * rules of one message.
 */
export const MAX_REGEX_STEPS = 500;
export const MAX_REGEX_STEPS_PER_MESSAGE = 1000;

/** What `compileRegex` answers: a matcher and its program size, or why the pattern cannot be run. */
export type RegexCompiled = { ok: true; test: (text: string) => boolean; steps: number } | { ok: false; problem: string };

/**
 * A `regex` page rule on RE2 (the pure-JavaScript port `re2js`): matching time is linear in the
 * text, with no backtracking, whatever the pattern. RE2 has no look-arounds or back-references
 * (the features that need backtracking); a pattern using them is refused when it is written.
 * The syntax is otherwise the common one (`\d`, `[^/]+`, `(?:…)`, `(?i)`), searched anywhere in
 * the URL like `RegExp.prototype.test`.
 */
export function compileRegex(pattern: string): RegexCompiled {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'not a valid pattern';
    return { ok: false, problem: `must be a valid regular expression in RE2 syntax (no look-arounds or back-references): ${detail}` };
  }
  const steps = programSize(regex);
  if (steps > MAX_REGEX_STEPS) {
    return { ok: false, problem: `compiles to ${steps} steps, more than the ${MAX_REGEX_STEPS} a rule may take: use smaller counted repeats than {${MAX_REGEX_STEPS}} or a glob` };
  }
  return { ok: true, test: (text) => regex.test(text), steps };
}

/**
 * The compiled program's instruction count. re2js does not type this part of its API, so it is
 * read defensively; the version is pinned and the tests check the cap still bites.
 */
function programSize(regex: RE2JS): number {
  const prog = (regex.re2() as unknown as { prog?: { numInst?: () => number } }).prog;
  return typeof prog?.numInst === 'function' ? prog.numInst() : Number.POSITIVE_INFINITY;
}
