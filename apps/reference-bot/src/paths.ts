import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './cli-error.js';

/** The repository root, from this file's place (`apps/reference-bot/{src,dist}`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Start of the names of the probes {@link checkOutputDir} creates and removes; a random suffix follows. */
const PROBE_PREFIX = '.quant-bot-probe-';

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

/**
 * Why a file system call failed, in words: `permission denied`, `read-only
 * file system`, `no space left on the device`, … or the code and message.
 * @param error - what the call threw.
 */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOENT':
      return 'the file system does not allow creating it';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    default:
      return code ? `${code}: ${(error as Error).message}` : String(error);
  }
}

/** A path's kind in words, for a path that is not what was expected. */
function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** The nearest existing path at or above `path`, and its status. */
function nearestExisting(path: string): { readonly path: string; readonly stats: Stats } {
  for (let current = path; ; current = dirname(current)) {
    try {
      return { path: current, stats: statSync(current) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a parent is a file; keep going up to find it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(current) === current) throw error;
    }
  }
}

/**
 * Checks, before anything is written, that `dir` can be the output folder:
 * an existing folder in which a file can be created, or a path whose nearest
 * existing parent is a folder in which the missing folders can be created.
 * It probes by creating and removing a randomly named file (or folder, in
 * the nearest existing parent), so the answer holds as root too and on
 * read-only or virtual file systems such as `/proc`, a stale probe cannot make
 * a writable folder look unwritable, and runs sharing a parent do not
 * disturb each other; it leaves nothing behind.
 * @param flag - the flag, for the message (`--out`).
 * @param text - the flag's value.
 * @param cwd - the working directory.
 * @returns the folder, resolved.
 * @throws {@link UsageError} `BAD_FLAG` for an empty value, `OUTPUT_UNWRITABLE`
 *   otherwise, naming the flag, the path, why and what was expected.
 */
export function checkOutputDir(flag: string, text: string, cwd: string): string {
  if (text.trim() === '') {
    throw new UsageError('BAD_FLAG', `${flag} "${text}" is empty: expected a folder path, e.g. ${flag} reports/run1`);
  }
  const dir = resolve(cwd, text);
  const fail = (why: string, cause?: unknown): never => {
    throw new UsageError('OUTPUT_UNWRITABLE', `${flag} ${dir}: ${why}`, cause === undefined ? {} : { cause });
  };
  let existing: ReturnType<typeof nearestExisting>;
  try {
    existing = nearestExisting(dir);
  } catch (error) {
    return fail(`cannot be checked (${reasonOf(error)}): expected a writable folder`, error);
  }
  if (!existing.stats.isDirectory()) {
    return existing.path === dir
      ? fail(`is ${kindOf(existing.stats)}: expected a folder (existing, or to be created)`)
      : fail(`${existing.path} is ${kindOf(existing.stats)}, not a folder: expected a path under a folder`);
  }
  if (existing.path === dir) {
    const probe = join(dir, `${PROBE_PREFIX}${randomBytes(8).toString('hex')}`);
    let created = false;
    try {
      closeSync(openSync(probe, 'wx'));
      created = true;
    } catch (error) {
      return fail(`cannot write in this folder (${reasonOf(error)}): expected a writable folder`, error);
    } finally {
      if (created) rmSync(probe, { force: true });
    }
    return dir;
  }
  let probe: string | undefined;
  try {
    probe = mkdtempSync(join(existing.path, PROBE_PREFIX));
  } catch (error) {
    return fail(
      `cannot create a folder in ${existing.path} (${reasonOf(error)}): expected a path where folders can be created`,
      error,
    );
  } finally {
    if (probe !== undefined) rmdirSync(probe);
  }
  return dir;
}

/**
 * Creates the output folder `dir` and its missing parents one by one.
 * (`mkdirSync(dir, { recursive: true })` loops for ever under `/proc`.) A
 * folder created meanwhile by another run (e.g. the shared parent of
 * `--out reports/a` and `--out reports/b`) is fine.
 * @param flag - the flag, for the message (`--out`).
 * @param dir - the folder, checked with {@link checkOutputDir}.
 * @throws {@link UsageError} `OUTPUT_UNWRITABLE` when a folder cannot be created.
 */
export function makeOutputDir(flag: string, dir: string): void {
  const missing: string[] = [];
  try {
    for (let current = dir; !existsSync(current); current = dirname(current)) missing.unshift(current);
    for (const path of missing) {
      try {
        mkdirSync(path);
      } catch (error) {
        // Created meanwhile by another run: fine if it is a folder.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path).isDirectory()) throw error;
      }
    }
  } catch (error) {
    throw new UsageError('OUTPUT_UNWRITABLE', `${flag} ${dir}: cannot be created (${reasonOf(error)})`, {
      cause: error,
    });
  }
}

/**
 * Checks that an input file given on the command line is a regular file
 * (reading a FIFO or a device such as `/dev/zero` would never end).
 * A missing file is left to the reader, which names it.
 * @param flag - the flag, for the message (`--config`).
 * @param path - the file, resolved.
 * @throws {@link UsageError} `NOT_A_FILE` for a directory, FIFO, device or socket.
 */
export function checkInputFile(flag: string, path: string): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    return; // e.g. a parent that is a file: the reader says so.
  }
  if (stats && !stats.isFile()) {
    throw new UsageError('NOT_A_FILE', `${flag} ${path} is ${kindOf(stats)}: expected a regular file`);
  }
}
