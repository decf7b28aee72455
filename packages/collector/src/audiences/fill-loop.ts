/**
 * The background fill of both stores: `kick` starts a loop that runs `step` (one chunk of a
 * pending fill, in a transaction of its own) until it answers that nothing is pending. A kick
 * while the loop runs makes it look once more before it stops, so a fill created while the last
 * chunk was finishing is not left behind. A failing chunk stops the loop; the next change, sweep
 * tick or restart kicks it again.
 */
export interface FillLoop {
  kick(): void;
  /** Resolves when the loop is not running (tests; close). */
  idle(): Promise<void>;
  /** Stops the loop after the chunk in progress. */
  close(): Promise<void>;
  /** Once close was called (a sweep in progress stops too). */
  readonly closed: boolean;
}

export function createFillLoop(options: {
  step: () => Promise<boolean>;
  /** False once the store's connection is gone. */
  open?: () => boolean;
  /** Awaited between chunks (PostgreSQL: a turn of the event loop, so ingest and reads run between them). */
  between?: () => Promise<void>;
  /** When a failed fill resumes, for the log line. */
  resumes: string;
}): FillLoop {
  let closed = false;
  let running: Promise<void> | null = null;
  let kickedAgain = false;
  const stopped = () => closed || (options.open ? !options.open() : false);
  const idle = async (): Promise<void> => {
    while (running) await running;
  };
  return {
    kick() {
      if (stopped()) return;
      if (running) {
        kickedAgain = true;
        return;
      }
      running = (async () => {
        for (;;) {
          kickedAgain = false;
          if (stopped()) break;
          try {
            if (await options.step()) {
              await options.between?.();
              continue;
            }
          } catch (error) {
            if (!closed) console.error(`[hark] segment fill failed; it resumes on ${options.resumes}`, error);
            break;
          }
          if (!kickedAgain) break;
        }
        running = null;
      })();
    },
    idle,
    async close() {
      closed = true;
      await idle();
    },
    get closed() {
      return closed;
    },
  };
}
