/** A key-value store that never throws. */
export interface SafeStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/**
 * localStorage, or memory for this page when localStorage throws (blocked, private modes,
 * sandboxed frames). A full quota only loses the write: the App keeps its own copy in memory.
 */
export function createStorage(): SafeStorage {
  const memory: Record<string, string> = {};
  return {
    get(key) {
      try {
        return localStorage.getItem(key);
      } catch {
        return memory[key] ?? null;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(key, value);
      } catch {
        memory[key] = value;
      }
    },
    remove(key) {
      try {
        localStorage.removeItem(key);
      } catch {
        delete memory[key];
      }
    },
  };
}
