import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ACCOUNT } from '@quant/exchange-sim';

/** The repository root: the bot's default files are found from there. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built command line. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** The shared BTCUSDT data. */
export const BTCUSDT = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', import.meta.url),
);
/** The shared BTCUSDC data (the same minutes as {@link BTCUSDT}). */
export const BTCUSDC = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDC_1m.csv', import.meta.url),
);

let storeDir: string | undefined;
/** The event store the runs of this test file use unless STORE_URL is given: a SQLite file in a temporary folder. */
export function testStoreUrl(): string {
  storeDir ??= mkdtempSync(join(tmpdir(), 'quant-bot-store-'));
  return join(storeDir, 'quant.db');
}

/** What a finished run printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running command line, with its output so far. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Standard output so far. */
  readonly output: () => string;
  /** Standard error so far. */
  readonly errors: () => string;
  /**
   * Resolves as soon as `stream` has printed `text` (checked on every chunk,
   * so a signal can follow the line at once); rejects, with the output so
   * far, when the process ends first or after `timeoutMs`.
   */
  readonly waitFor: (text: string, stream?: 'stdout' | 'stderr', timeoutMs?: number) => Promise<void>;
  readonly done: Promise<CliResult>;
}

/**
 * Starts `quant-bot` with `args` in the repository root.
 * @param args - the arguments.
 * @param env - extra environment variables.
 * @param cwd - the working directory (where `.env` is read); the repository root by default.
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    // `live` persists to store.url by default: a test file's runs go to a database of its own, not the repository's.
    env: { STORE_URL: testStoreUrl(), ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const waitFor = (text: string, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const source = stream === 'stdout' ? child.stdout : child.stderr;
      const printed = (): boolean => (stream === 'stdout' ? stdout : stderr).includes(text);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        source?.off('data', check);
        child.off('close', ended);
        if (error) reject(error);
        else resolve();
      };
      const failure = (why: string): Error =>
        new Error(`${why} before printing ${JSON.stringify(text)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      // Listeners added after the one above see the chunk already appended.
      const check = (): void => {
        if (printed()) finish();
      };
      const ended = (): void => finish(failure('the process ended'));
      const timer = setTimeout(() => finish(failure(`${timeoutMs} ms passed`)), timeoutMs);
      source?.on('data', check);
      child.on('close', ended);
      check();
    });
  return { child, output: () => stdout, errors: () => stderr, waitFor, done };
}

/** The local exchange's test account, as `live --exchange` reads it from the environment. */
export const SIM_CREDENTIALS = {
  EXCHANGE_API_KEY: DEFAULT_ACCOUNT.apiKey,
  EXCHANGE_API_SECRET: DEFAULT_ACCOUNT.secret,
};

/**
 * Starts `quant-bot live --exchange binance` on the local exchange at `url`, trading BTCUSDT with its test account.
 * @param url - the exchange's origin (what `exchange-sim ready on …` printed).
 * @param args - more arguments (`--db`, `--out`, …).
 * @param env - more environment variables.
 */
export function startLiveOnSim(url: string, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  return startCli(['live', '--exchange', 'binance', '--exchange-url', url, '--symbol', 'BTCUSDT', ...args], {
    ...SIM_CREDENTIALS,
    ...env,
  });
}

/** Runs `quant-bot` to completion. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}

/**
 * Waits until no SIGINT is pending for process `pid` any more, i.e. the kernel
 * has delivered it to the process (to Node.js's signal watcher, which queues
 * it for the JavaScript handler). Two SIGINTs sent without this wait can merge
 * into one while the first is still pending. Reads `/proc/<pid>/status` (Linux).
 * @param pid - the process.
 * @param timeoutMs - how long to wait at most.
 */
export async function sigintDelivered(pid: number, timeoutMs = 10_000): Promise<void> {
  const SIGINT_BIT = 1n << 1n; // Signal 2 is bit 1 of the pending masks.
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return; // The process has ended.
    }
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].map((m) => BigInt(`0x${m[1]}`));
    if (pending.every((mask) => (mask & SIGINT_BIT) === 0n)) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`SIGINT still pending for process ${pid} after ${timeoutMs} ms`);
}
