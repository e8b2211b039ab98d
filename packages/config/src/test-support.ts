import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from './config-error.js';
import { type LoadedConfig, loadConfig } from './load-config.js';

/** Makes a temporary working directory holding the given files (relative path → content). */
export function workdir(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'quant-config-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/**
 * Loads from a temporary directory holding `files`, with only `env` in the environment.
 * @param path - the configuration file, relative to that directory, when not the default.
 */
export const load = (
  files: Readonly<Record<string, string>> = {},
  env: Readonly<Record<string, string>> = {},
  path?: string,
): LoadedConfig => loadConfig({ cwd: workdir(files), env, ...(path === undefined ? {} : { path }) });

/** The ConfigError that `run` throws; fails the test when it throws nothing or something else. */
export const failure = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
