import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './test-support/run-cli.js';

const DIST = dirname(CLI);

/** The modules a built file imports: statically (`import … from '…'`, `export … from '…'`) and with `import('…')`. */
function importsOf(file: string): { readonly static: string[]; readonly dynamic: string[] } {
  const text = readFileSync(join(DIST, file), 'utf8');
  const all = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((match) => match[1] as string))];
  return {
    static: all(/^\s*(?:import|export)\s*(?:[^;]*?\sfrom\s*)?["']([^"']+)["']/gm),
    dynamic: all(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  };
}

/** The built files `file` loads before it runs: itself and its static imports, transitively. */
function loadedWith(file: string, seen = new Set<string>()): Set<string> {
  seen.add(file);
  for (const specifier of importsOf(file).static) {
    const local = specifier.startsWith('./') ? specifier.slice(2) : undefined;
    if (local && !seen.has(local)) loadedWith(local, seen);
  }
  return seen;
}

describe('the built command line', () => {
  it('is one bundle: its files import only Node.js modules, each other, the native SQLite driver and ccxt', () => {
    const files = readdirSync(DIST).filter((file) => file.endsWith('.js'));
    expect(files).toContain('cli.js');
    const builtins = new Set(builtinModules);
    // better-sqlite3 finds its compiled addon beside its own files: it cannot be bundled; ccxt is loaded as a
    // package by the commands that reach a venue.
    const importers: Record<string, string[]> = { 'better-sqlite3': [], ccxt: [] };
    for (const file of files) {
      const { static: imports, dynamic } = importsOf(file);
      for (const specifier of [...imports, ...dynamic]) {
        const local = specifier.startsWith('./') && files.includes(specifier.slice(2));
        const builtin = specifier.startsWith('node:') || builtins.has(specifier);
        if (importers[specifier] !== undefined) importers[specifier].push(file);
        else expect(local || builtin, `${file} imports ${specifier}`).toBe(true);
      }
    }
    // Only the event store's code and the venue's load them; a plain backtest or --help loads neither, and a
    // replay (live without --exchange) does not load ccxt.
    const chunk = (name: string) =>
      (importsOf('cli.js').dynamic.find((f) => f.startsWith(`./${name}-`)) as string).slice(2);
    for (const [external, files] of Object.entries(importers)) {
      expect(files.length, external).toBeGreaterThan(0);
      for (const file of ['cli.js', chunk('backtest'), ...(external === 'ccxt' ? [chunk('live')] : [])]) {
        expect(
          [...loadedWith(file)].filter((loaded) => files.includes(loaded)),
          `${file} loads ${external}`,
        ).toEqual([]);
      }
    }
  });

  it('prints its help without loading the pipeline', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: quant-bot');
    expect(result.stderr).toBe('');
    // cli.js loads each command's code, and the pipeline, only when the command runs.
    const lazy = importsOf('cli.js').dynamic;
    expect(lazy.filter((file) => /^\.\/(backtest|live|download-data)-/.test(file))).toHaveLength(3);
    const pipeline = /\bCsvBarSource = class\b|\bclass CsvBarSource\b/;
    const eager = [...loadedWith('cli.js')];
    expect(eager.filter((file) => pipeline.test(readFileSync(join(DIST, file), 'utf8')))).toEqual([]);
    const backtest = [...loadedWith((lazy.find((file) => file.startsWith('./backtest-')) as string).slice(2))];
    expect(backtest.filter((file) => pipeline.test(readFileSync(join(DIST, file), 'utf8')))).toHaveLength(1);
  });

  it('draws the progress bar on a terminal: its library, loaded only then, works from the bundle', async () => {
    const out = mkdtempSync(join(tmpdir(), 'quant-cli-tty-'));
    // Standard error claims to be a terminal, as in an interactive shell.
    const result = await runCli(['backtest', '--to', '2023-03-01', '--out', out], {
      NODE_OPTIONS: '--import=data:text/javascript,process.stderr.isTTY=true',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('backtest [========================================] 100% | 1440/1440 bars');
    expect(result.stdout).toContain('=== Backtest summary ===');
  });
});
