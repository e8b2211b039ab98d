import { rmSync } from 'node:fs';
import type { Options } from 'tsup';
import { packageBuild } from '../../tsup.package.js';

/**
 * Dependencies published as ES modules only. The CommonJS build bundles them,
 * so that `require('@quant/services')` works without Node's require(esm)
 * (`--no-experimental-require-module`, tsx's CommonJS loader, Node < 20.19 or
 * 22.12); the ES module build imports them as usual. Keep this list in step
 * with `scripts/require-check.cjs`, which fails on any ESM-only one missing.
 */
export const ESM_ONLY_DEPENDENCIES = ['trading-signals'];

const shared = packageBuild as Options;

// The two builds below run in parallel: neither cleans (one could delete the other's files), dist is cleaned here once.
rmSync(new URL('dist/', import.meta.url), { recursive: true, force: true });

/**
 * Two builds:
 * - ES modules: the package (`.`) and the test kit (`@quant/services/testing`,
 *   ESM only: it imports vitest, which cannot be `require`d).
 * - CommonJS: the package only, with {@link ESM_ONLY_DEPENDENCIES} bundled.
 */
const builds: Options[] = [
  {
    ...shared,
    clean: false,
    format: ['esm'],
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  },
  {
    ...shared,
    clean: false,
    format: ['cjs'],
    entry: { index: 'src/index.ts' },
    noExternal: ESM_ONLY_DEPENDENCIES,
  },
];

export default builds;
