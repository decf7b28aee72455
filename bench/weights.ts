import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { ROOT } from './processes.js';

/**
 * App weight: the bytes a visitor downloads, gzipped (level 9) and brotli (quality 11), for the
 * App's core and message UI and for the same parts of the tools a team would pick instead,
 * taken from the npm packages pinned in package.json and compressed the same way.
 */

export interface Weight {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface Bundle {
  /** Who ships it. */
  product: string;
  /** `core` runs on every page; `ui` is what shows messages or surveys; `console` is the team's app (its first page). */
  part: 'core' | 'ui' | 'console';
  /** Where the file comes from (npm package and path). */
  source: string;
  weight: Weight | null;
  note?: string;
}

export function weigh(path: string): Weight | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}

const modules = (path: string): string => join(ROOT, 'node_modules', path);

const version = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(modules(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
};

/** Every bundle the report compares, Hark's first. */
export function measureWeights(): Bundle[] {
  const peer = (product: string, part: Bundle['part'], pkg: string, file: string, note?: string): Bundle => ({
    product,
    part,
    source: `${pkg}@${version(pkg)} ${file}`,
    weight: weigh(modules(`${pkg}/${file}`)),
    ...(note ? { note } : {}),
  });
  return [
    { product: 'Hark', part: 'core', source: 'packages/sdk/dist/hark.js', weight: weigh(join(ROOT, 'packages/sdk/dist/hark.js')) },
    { product: 'Hark', part: 'ui', source: 'packages/sdk/dist/hark-ui.js', weight: weigh(join(ROOT, 'packages/sdk/dist/hark-ui.js')) },
    { product: 'Hark', part: 'console', source: 'packages/console/dist/console.js', weight: weigh(join(ROOT, 'packages/console/dist/console.js')) },
    peer('posthog-js', 'core', 'posthog-js', 'dist/array.js', 'the script-tag build; recorder, surveys and toolbar load later as extensions'),
    peer('posthog-js', 'ui', 'posthog-js', 'dist/surveys.js', 'surveys extension (Preact), loaded when a survey is due'),
    peer('Segment analytics-next', 'core', '@segment/analytics-next', 'dist/umd/standalone.js', 'standalone build; destinations load later'),
    peer(
      'Formbricks',
      'core',
      '@formbricks/js',
      'dist/index.js',
      "only a loader: the js-core it fetches is served by the Formbricks app and is not published to npm, so Formbricks' real core is larger",
    ),
    peer('Formbricks', 'ui', '@formbricks/surveys', 'dist/index.umd.js', 'survey renderer (Preact)'),
    peer('Plausible', 'core', '@plausible-analytics/tracker', 'plausible.js', 'page views and custom events only; no identity, no messages'),
  ];
}
