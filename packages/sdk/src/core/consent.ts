import type { SafeStorage } from './storage.js';
import type { HarkOptions } from './types.js';

export const CONSENT_KEY = 'hark_consent';

export interface Consent {
  allowed(): boolean;
  choose(choice: 'in' | 'out'): void;
}

/**
 * The visitor's own choice, remembered, wins. Without one, a site that asks for it treats
 * Global Privacy Control or Do Not Track as an opt-out.
 */
export function createConsent(storage: SafeStorage, options: HarkOptions): Consent {
  return {
    allowed() {
      const choice = storage.read(CONSENT_KEY);
      const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
      return choice == 'in' || (choice != 'out' && !(options.respectDnt && (nav.globalPrivacyControl || nav.doNotTrack == '1')));
    },
    choose: (choice) => storage.write(CONSENT_KEY, choice),
  };
}
