export { createHark } from './esm.js';
export { VERSION } from './core/version.js';
export type { Hark, HarkOptions, Properties, Result, WireEvent } from './core/types.js';
