import type { Options } from 'tsup';
import { packageBuild } from '../../tsup.package.js';

/** The shared package build, with the test kit (`@quant/services/testing`) as a second entry point. */
const build: Options = {
  ...(packageBuild as Options),
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
};

export default build;
