import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../src/core/version.js';
import { elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

describe('the context sent with every event', () => {
  it('describes the page, the visitor’s language, time zone and screen, and the library', async () => {
    const collector = fakeCollector();
    history.replaceState(null, '', '/pricing?plan=pro&utm_source=newsletter');
    document.title = 'Pricing';
    const hark = startHark({ autoPage: false });

    hark.track('Plan Selected', { plan: 'pro' });
    await elapse(500);

    const [event] = collector.events();
    expect(event?.context).toEqual({
      page: {
        url: location.href,
        path: '/pricing',
        title: 'Pricing',
        referrer: document.referrer,
        search: '?plan=pro&utm_source=newsletter',
      },
      locale: navigator.language,
      screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
      library: { name: 'hark.js', version: VERSION },
    });
    expect(event?.context?.page?.url).toContain('utm_source=newsletter');
  });

  it('names the same library version as the package', () => {
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
