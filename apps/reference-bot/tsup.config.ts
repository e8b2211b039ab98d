import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  // One bundle with every dependency (the @quant packages, commander, yaml, trading-signals, …): loading about
  // 130 small ES modules cost Node.js 20 about 150 ms of every run's start. Each command's code (and the
  // progress bar's library) is a chunk of its own, loaded when it runs (`import()`).
  noExternal: [/^(?!(better-sqlite3|ccxt)$)/],
  // better-sqlite3 is a native module: it finds its compiled addon beside its own files, so it cannot be bundled;
  // it is loaded only by the event store's code, when a command opens a database. ccxt (about 100 exchanges, with
  // optional modules it loads on demand) stays a package too: only the commands that reach a venue load it.
  external: ['better-sqlite3', 'ccxt'],
  splitting: true,
  // Bundled CommonJS modules (commander, cli-progress, loglevel) `require` Node.js's modules.
  banner: {
    js: "import { createRequire as __quantCreateRequire } from 'node:module';\nconst require = __quantCreateRequire(import.meta.url);",
  },
});
