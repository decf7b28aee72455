import { read, write } from './storage.js';
import type { HarkOptions } from './types.js';

export const CONSENT_KEY = 'hark_consent';

/**
 * The visitor's own choice, remembered, wins. Without one, a site that asks for it treats
 * Global Privacy Control or Do Not Track as an opt-out.
 */
export const allowed = (options: HarkOptions): boolean => {
  const choice = read(CONSENT_KEY);
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return choice == 'in' || (choice != 'out' && !(options.respectDnt && (nav.globalPrivacyControl || nav.doNotTrack == '1')));
};

export const choose = (choice: 'in' | 'out'): void => write(CONSENT_KEY, choice);
