#!/usr/bin/env node
/**
 * Builds every package (`turbo run build`) without printing turbo's and
 * tsup's logs, so that `npm run backtest` and `npm run live` print only the
 * bot's own output; when the build fails, its whole output is printed on
 * standard error and the script exits with the build's code. (npm itself
 * still prints its `> backtest` banner on standard output: only npm's silent
 * log level hides it, `npm run -s backtest`, and set for the project in
 * `.npmrc` it would hide the errors and warnings of every npm command too.)
 *
 * Usage: node scripts/quiet-build.mjs
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = ['run', 'build', '--output-logs=errors-only'];
// turbo's own launcher, run with this Node.js: npx would add about 0.4 s to every `npm run backtest`.
let launcher;
try {
  launcher = createRequire(import.meta.url).resolve('turbo/bin/turbo');
} catch {
  launcher = undefined;
}
const [command, commandArgs] = launcher ? [process.execPath, [launcher, ...args]] : ['npx', ['turbo', ...args]];
const result = spawnSync(command, commandArgs, {
  encoding: 'utf8',
  env: {
    ...process.env,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    FORCE_COLOR: process.stderr.isTTY ? '1' : '0',
  },
  maxBuffer: 64 * 1024 * 1024,
});
if (result.error) {
  process.stderr.write(`build: could not run turbo: ${result.error.message}\n`);
  process.exit(1);
}
if (result.status !== 0) {
  process.stderr.write(`${result.stdout}${result.stderr}`);
  process.stderr.write(`build failed (exit code ${result.status ?? result.signal})\n`);
  process.exit(result.status ?? 1);
}
