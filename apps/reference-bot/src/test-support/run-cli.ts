import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the bot's default files are found from there. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built command line. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** The shared BTCUSDT data. */
export const BTCUSDT = fileURLToPath(
  new URL('../../../../../shared/data/binance-us-2023-03/BTCUSDT_1m.csv', import.meta.url),
);

/** What a finished run printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running command line, with its output so far. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly done: Promise<CliResult>;
}

/**
 * Starts `quant-bot` with `args` in the repository root.
 * @param args - the arguments.
 * @param env - extra environment variables.
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
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
  return { child, output: () => stdout, done };
}

/** Runs `quant-bot` to completion. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
