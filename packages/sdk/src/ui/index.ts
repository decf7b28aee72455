import type { UiBridge } from '../core/types.js';
import { startUi } from './start-ui.js';

/**
 * The hark-ui.js entry. The core adds the script tag that loads it only when a message is due,
 * and leaves the bridge to itself on that tag; loaded any other way, it does nothing.
 */
try {
  const script = document.currentScript as (HTMLScriptElement & { h?: UiBridge }) | null;
  if (Array.isArray(script?.h?.q)) startUi(script!.h!, script!.nonce);
} catch {}
