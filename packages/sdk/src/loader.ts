import { replayCommands } from './core/command-queue.js';
import { createInstance } from './core/hark.js';
import { VERSION } from './core/version.js';

/**
 * The script-tag entry (hark.js). Reads the write key and collector URL from its own tag's
 * data-* attributes, replays what the snippet's stub queued (`hark('init', {…})` included), then
 * puts the real App in `window.hark`: callable as `hark('track', …)` like the stub, and as
 * `hark.track(…)`.
 */
const w = window as unknown as { hark?: { (...args: unknown[]): unknown; q?: unknown; version?: string } };

try {
  // Loaded twice (two snippets, a copy bundled by a plugin): the first one stays in charge.
  if (!w.hark?.version) {
    const script = (document.currentScript || document.querySelector('script[src*="hark"]')) as HTMLScriptElement | null;
    const { writeKey, apiHost } = script?.dataset || {};
    const [app, run, start] = createInstance({
      writeKey,
      // `src` reads back absolute, so its first three '/'-separated parts are the origin.
      apiHost: apiHost || (script?.src || location.href).split('/', 3).join('/'),
    });
    const queued = w.hark?.q;
    w.hark = Object.assign((...args: unknown[]) => run(args), app, { version: VERSION });
    replayCommands(queued, run);
    start();
  }
} catch {}
