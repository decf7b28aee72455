import type { EventContext } from '@hark/protocol';
import { VERSION } from './version.js';

// After an SPA navigation the referrer is the app's previous URL, not document.referrer.
let spaReferrer: string | undefined;
// Building an Intl.DateTimeFormat is the costliest thing the App does (tens of ms the first time
// in Chromium, as ICU loads its zone data); do it once per page, not once per event.
let timeZone: string | undefined;
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
 */
export function createContext(hark?: object): EventContext {
  return {
    // The chain of events (`context.hark`: parentId, chainToken); JSON drops it when undefined.
    hark,
    page: pageInfo(),
    locale: navigator.language,
    timezone: (timeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone),
    screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
    library: { name: 'hark.js', version: VERSION },
  };
}
