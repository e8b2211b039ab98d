import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LoadedConfig, loadConfig } from '@quant/config';
import { checkInputFile, defaultFile } from './paths.js';

/**
 * The configuration of a command: `--config` (checked to be a regular file), else `config/services.yaml` of the
 * working directory, else the repository's; with `.env` and the environment over it.
 * @param configFlag - `--config`, when given.
 * @param cwd - the working directory.
 * @param env - the environment (a command may replace some variables, e.g. the symbols of its data files).
 * @throws {@link UsageError} `NOT_A_FILE`/`DATA_FILE_NOT_FOUND` for a bad `--config`;
 *   {@link @quant/config!ConfigError} for a bad configuration.
 */
export function loadBotConfig(
  configFlag: string | undefined,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): LoadedConfig {
  if (configFlag) checkInputFile('--config', resolve(cwd, configFlag));
  const path =
    configFlag ??
    (existsSync(resolve(cwd, 'config/services.yaml')) ? undefined : defaultFile(cwd, 'config/services.yaml'));
  return loadConfig({ cwd, env, ...(path ? { path } : {}) });
}
