/**
 * A key-value store that never throws: read, write and drop. A tuple rather than an object, so
 * no property name survives minification (hark.js is measured in bytes, DESIGN §7).
 */
export type SafeStorage = [
  read: (key: string) => string | null,
  write: (key: string, value: string) => void,
  drop: (key: string) => void,
];

/**
 * localStorage, or memory for this page when localStorage throws (blocked, private modes,
 * sandboxed frames). A full quota only loses the write: the App keeps its own copy in memory.
 */
export function createStorage(): SafeStorage {
  const memory: Record<string, string> = {};
  return [
    (key) => {
      try {
        return localStorage.getItem(key);
      } catch {
        return memory[key] ?? null;
      }
    },
    (key, value) => {
      try {
        localStorage.setItem(key, value);
      } catch {
        memory[key] = value;
      }
    },
    (key) => {
      try {
        localStorage.removeItem(key);
      } catch {
        delete memory[key];
      }
    },
  ];
}
