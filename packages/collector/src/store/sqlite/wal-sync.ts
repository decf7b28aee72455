import { open, type FileHandle } from 'node:fs/promises';

export interface WalSync {
  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void>;
  /** Waits for the sync in flight, then lets go of the file. */
  close(): Promise<void>;
}

/**
 * fdatasync of the WAL file on libuv's thread pool, off the event loop. Many callers share one
 * call: whoever asks while a sync is running waits for the next one, which starts after it (so
 * it covers everything they wrote), and that next one serves all of them.
 */
export function createWalSync(walPath: string): WalSync {
  let handle: Promise<FileHandle> | null = null;
  let running: Promise<void> | null = null;
  let waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  const start = (): void => {
    const batch = waiting;
    waiting = [];
    running = (handle ??= open(walPath, 'r'))
      .then((file) => file.datasync())
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => {
          handle = null;
          batch.forEach((w) => w.reject(error));
        },
      )
      .finally(() => {
        running = null;
        if (waiting.length > 0) start();
      });
  };

  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (!running) start();
      }),
    async close() {
      while (running) await running;
      const file = await handle?.catch(() => null);
      handle = null;
      await file?.close();
    },
  };
}
