import { UAParser } from 'ua-parser-js';
import type { Device } from '../store/types.js';

/** Most traffic comes from a few hundred distinct user agents; parsing each once saves the regexes. */
const CACHE_SIZE = 2000;
const cache = new Map<string, Device>();

const UNKNOWN: Device = { browser: null, browserVersion: null, os: null, osVersion: null, type: 'unknown' };

/** Browser, OS and device type from a user agent string. Runs on the collector only. */
export function parseUserAgent(userAgent: string | null | undefined): Device {
  if (!userAgent) return UNKNOWN;
  const cached = cache.get(userAgent);
  if (cached) return cached;
  const result = new UAParser(userAgent).getResult();
  const device: Device = {
    browser: result.browser.name ?? null,
    browserVersion: result.browser.version ?? null,
    os: result.os.name ?? null,
    osVersion: result.os.version ?? null,
    // ua-parser leaves `type` empty for desktops; a string it reads nothing from is no device at all.
    type:
      result.device.type ??
      (/bot|crawler|spider|headless/i.test(userAgent) ? 'bot' : result.browser.name || result.os.name ? 'desktop' : 'unknown'),
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(userAgent, device);
  return device;
}
