import { SingleBar } from 'cli-progress';

/**
 * The backtest's progress bar on standard error. A module of its own, which
 * `backtest` imports only when standard error is a terminal, so that other
 * runs do not load the library.
 */
export function backtestProgressBar(): SingleBar {
  return new SingleBar({
    format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left',
    stream: process.stderr,
    hideCursor: true,
  });
}
