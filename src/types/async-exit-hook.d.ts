// Minimal types for the part of async-exit-hook we use (the package ships none).
declare module 'async-exit-hook' {
  interface AsyncExitHook {
    (hook: (done: () => void) => void): void;
    /** Stops listening for one event (e.g. 'SIGTERM'); its hooks no longer run for it. */
    unhookEvent(event: string): void;
  }
  const asyncExitHook: AsyncExitHook;
  export default asyncExitHook;
}
