/** One call the snippet's stub recorded: `[arguments, Date.now()]`. */
export type QueuedCall = [ArrayLike<unknown>, number];

/** Runs the stub's calls in the order the page made them, each dated when it was made. */
export function replayCommands(queue: unknown, run: (args: ArrayLike<unknown>, at?: number) => unknown): void {
  if (Array.isArray(queue)) for (const call of queue as QueuedCall[]) run(call?.[0] || [], call?.[1]);
}
