/**
 * Turns SIGINT and SIGTERM into an abort: the first one aborts `controller`
 * (graceful shutdown), a second one exits at once with code 130.
 * @returns a function that removes the handlers.
 */
export function onShutdownSignals(controller: AbortController, announce: (signal: string) => void): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) {
      process.stderr.write('\nSecond interrupt: exiting now.\n');
      process.exit(130);
    }
    announce(signal);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Lets the event loop turn, so that a signal received during synchronous work is handled. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
