import type { SafeStorage } from './storage.js';
import type { HarkOptions } from './types.js';

export const CONSENT_KEY = 'hark_consent';

/** A tuple rather than an object, so no property name survives minification (DESIGN §7). */
export type Consent = [allowed: () => boolean, choose: (choice: 'in' | 'out') => void];

/**
 * The visitor's own choice, remembered, wins. Without one, a site that asks for it treats
 * Global Privacy Control or Do Not Track as an opt-out.
 */
export function createConsent([read, write]: SafeStorage, options: HarkOptions): Consent {
  return [
    () => {
      const choice = read(CONSENT_KEY);
      const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
      return choice == 'in' || (choice != 'out' && !(options.respectDnt && (nav.globalPrivacyControl || nav.doNotTrack == '1')));
    },
    (choice) => write(CONSENT_KEY, choice),
  ];
}
