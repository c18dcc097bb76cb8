/** A task on a timer, as the worker's sweeps and takeover check run. */
export interface Periodic {
  /** Ends the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never two at once (a run that outlasts the interval skips the
 * next tick). `task` must handle its own errors. `stop` waits for a run in progress, so a
 * stopping worker closes its database pools only once no sweep is using them: a transaction cut
 * off by the pool's end left Prisma's transaction manager waiting, and the process never exited.
 */
export function every(intervalMs: number, task: () => Promise<unknown>): Periodic {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) {
      return;
    }
    running = task().finally(() => {
      running = null;
    });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
