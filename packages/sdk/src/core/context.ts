import type { EventContext } from '@hark/protocol';
import { VERSION } from './version.js';

// After an SPA navigation the referrer is the app's previous URL, not document.referrer.
let spaReferrer: string | undefined;
export const setReferrer = (url: string) => {
  spaReferrer = url;
};

/** Where the visitor is: sent as `context.page` on every event and as a page view's properties. */
export const pageInfo = () => ({
  url: location.href,
  path: location.pathname,
  title: document.title,
  referrer: spaReferrer ?? document.referrer,
  search: location.search,
});

/**
 * What the App knows about the page and the device, attached to every event. The collector adds
 * the user agent (from the request) and the IP, and reads the UTM campaign from `page.url`
 * (parsing it here as well would spend some 70 of the 3,072 gzipped bytes hark.js may weigh).
 * No `timezone`: the first Intl object a page builds costs ~40 ms of main thread as ICU loads
 * (measured in Chromium: nearly all of hark.js's script time at load), so the collector takes the
 * zone of the city geolocation finds instead; a host app that knows better sends a `timezone` trait.
 */
export function createContext(hark?: object): EventContext {
  return {
    // The chain of events (`context.hark`: parentId, chainToken); JSON drops it when undefined.
    hark,
    page: pageInfo(),
    locale: navigator.language,
    screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
    library: { name: 'hark.js', version: VERSION },
  };
}
