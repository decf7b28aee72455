import { createInstance } from './core/hark.js';
import type { Hark, HarkOptions } from './core/types.js';

/**
 * The App for bundlers. Starts at once: records the first page view (unless `autoPage: false`)
 * and sends what earlier pages left unsent.
 *
 * @example
 * const hark = createHark({ writeKey: 'wk_…', apiHost: 'https://hark.example.com' });
 * hark.identify('user_42', { email: 'ana@example.com' });
 */
export function createHark(options?: HarkOptions): Hark {
  const [app, , start] = createInstance(options);
  start();
  return app;
}
