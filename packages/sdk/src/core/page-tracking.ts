import { setReferrer } from './context.js';
import { listen } from './listen.js';

/**
 * Calls `onPage` whenever the URL changes without a page load: pushState, replaceState,
 * back/forward and hash changes.
 *
 * history is patched by wrapping whatever is there now and calling through, so a router or
 * another tool that patched it before us, or patches it after us, keeps working. A stopped
 * tracker stays in the chain as a pass-through: unwrapping would drop later patchers.
 */
export function trackPages(onPage: () => void, options: { signal?: AbortSignal }): void {
  let last = location.href;
  // Routers usually set the title just after changing the URL: look once the current task is done.
  const check = () =>
    setTimeout(() => {
      if (!options.signal?.aborted && location.href != last) {
        setReferrer(last);
        last = location.href;
        onPage();
      }
    });
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  listen('popstate', check, options);
  listen('hashchange', check, options);
}
