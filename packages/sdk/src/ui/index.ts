import type { UiBridge } from '../core/types.js';
import { startUi } from './start-ui.js';

/**
 * The hark-ui.js entry. The core adds the script tag that loads it only when a message is due,
 * and that tag is the bridge to the core (`UiBridge`); loaded any other way, it does nothing.
 */
try {
  const script = document.currentScript as (HTMLScriptElement & UiBridge) | null;
  if (Array.isArray(script?.q)) startUi(script!, script!.nonce);
} catch {}
