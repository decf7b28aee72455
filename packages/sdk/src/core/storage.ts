/**
 * localStorage that never throws, or memory for this page when localStorage does (blocked,
 * private modes, sandboxed frames). A full quota only loses the write: the App keeps its own copy
 * in memory. Plain functions, not a factory's object: localStorage is one per page, and so is
 * this memory; and no property name survives minification (hark.js is measured in bytes, DESIGN §7).
 */
const memory: Record<string, string> = {};

export const read = (key: string): string | null => {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory[key] ?? null;
  }
};

export const write = (key: string, value: string): void => {
  try {
    localStorage.setItem(key, value);
  } catch {
    memory[key] = value;
  }
};

export const drop = (key: string): void => {
  try {
    localStorage.removeItem(key);
  } catch {
    delete memory[key];
  }
};
