import { SingleBar } from 'cli-progress';

/**
 * The backtest's progress bar on standard error. A module of its own, which
 * `backtest` (and `download-data`) import only when standard error is a
 * terminal, so that other runs do not load the library.
 */
export function backtestProgressBar(): SingleBar {
  return new SingleBar({
    format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left',
    stream: process.stderr,
    hideCursor: true,
  });
}

/** `download-data`'s progress bar on standard error (a terminal only). */
export function downloadProgressBar(): SingleBar {
  return new SingleBar({
    format: 'download [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left',
    stream: process.stderr,
    hideCursor: true,
  });
}
