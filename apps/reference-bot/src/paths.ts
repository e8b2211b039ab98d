import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place (`apps/reference-bot/{src,dist}`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const SHARED_BTCUSDT = join('shared', 'data', 'binance-us-2023-03', 'BTCUSDT_1m.csv');

/**
 * A default file: `relative` under the working directory if it is there,
 * else under the repository root.
 * @param cwd - the working directory.
 * @param relative - e.g. `conf/strategies.yaml`.
 */
export function defaultFile(cwd: string, relative: string): string {
  const local = resolve(cwd, relative);
  return existsSync(local) ? local : join(REPO_ROOT, relative);
}

/**
 * The shared BTCUSDT 1-minute data, when present beside the working directory
 * or beside the repository (`../shared/data/…`).
 * @param cwd - the working directory.
 */
export function defaultDataFile(cwd: string): string | undefined {
  return [resolve(cwd, '..', SHARED_BTCUSDT), resolve(REPO_ROOT, '..', SHARED_BTCUSDT)].find((path) =>
    existsSync(path),
  );
}

/**
 * The symbol a data file holds, from its name: `BTCUSDT_1m.csv` → `BTCUSDT`.
 * @param path - the data file.
 */
export function symbolFromFileName(path: string): string | undefined {
  const match = /([A-Z0-9]{3,})[_-][0-9]+[mhd]\.csv$/i.exec(path);
  return match?.[1]?.toUpperCase();
}
