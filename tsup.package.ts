import { defineConfig } from 'tsup';

/** The build of every published package: ESM and CommonJS with type declarations, for Node 20. */
export const packageBuild = defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  // Keep `node:fs` as written: a bare `stream` can be taken for a package (vitest resolved it to a file once).
  removeNodeProtocol: false,
});
