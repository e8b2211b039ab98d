import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Strategy } from './ports/strategy.js';
import { march, realPipeline } from './test-support/real-data.js';

/**
 * The `@example` blocks of the API a bot author starts from must compile
 * against the current API: each ```ts block is type-checked on its own, as a
 * module of this package (top-level await allowed), with `@quant/core`,
 * `@quant/config` and `@quant/services` resolved to their sources.
 */

const servicesSrc = dirname(fileURLToPath(import.meta.url));
const packageRoot = dirname(servicesSrc);
const packagesDir = dirname(packageRoot);
const repoRoot = dirname(packagesDir);

/** The files whose examples are checked, relative to the repository. */
const DOCUMENTED = [
  'packages/core/src/orchestrator/trading-orchestrator.ts',
  'packages/services/src/create-trading-system.ts',
  'packages/services/src/simulation.ts',
  'packages/services/src/ports/strategy.ts',
  'packages/services/src/market-data/csv-bar-source.ts',
  'packages/services/src/market-data/multi-symbol-source.ts',
  'packages/services/src/execution/simulated-exchange.ts',
  'packages/services/src/analysis/analyze-run.ts',
  'packages/services/src/analysis/performance-tracker.ts',
  'packages/services/src/analysis/equity-stats.ts',
] as const;

/** One ```ts block of an `@example`. */
interface Example {
  /** The documented file, relative to the repository. */
  readonly file: string;
  /** The block's position among the file's examples, from 1. */
  readonly index: number;
  /** The code. */
  readonly code: string;
  /** The file's line (from 1) of each line of `code`. */
  readonly lines: readonly number[];
}

/**
 * The ```ts blocks of every `@example` tag in the TSDoc comments of `file`. An
 * example runs from its tag to the next block tag outside a code fence.
 */
function extractExamples(file: string): Example[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const examples: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, comment.index).split('\n').length;
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/$/, ''));
    let inExample = false;
    let fence: { code: string[]; lines: number[]; ts: boolean } | undefined;
    lines.forEach((line, offset) => {
      if (fence) {
        if (/^\s*```\s*$/.test(line)) {
          if (fence.ts) {
            examples.push({ file, index: examples.length + 1, code: fence.code.join('\n'), lines: fence.lines });
          }
          fence = undefined;
        } else {
          fence.code.push(line);
          fence.lines.push(firstLine + offset);
        }
        return;
      }
      const tag = /^\s*@(\w+)/.exec(line)?.[1];
      if (tag !== undefined) inExample = tag === 'example';
      const opening = /^\s*```\s*(\w*)/.exec(line);
      if (inExample && opening) fence = { code: [], lines: [], ts: opening[1] === 'ts' || opening[1] === 'typescript' };
    });
    if (fence) throw new Error(`${file}:${firstLine}: an @example's code fence is not closed`);
  }
  return examples;
}

const examples = DOCUMENTED.flatMap(extractExamples);
/** Where an example is type-checked: a file of this package that exists only in memory. */
const virtualPath = (example: Example): string =>
  join(servicesSrc, `__example__.${basename(example.file, '.ts')}.${example.index}.ts`);

/** The compiler options of this package, resolving the workspace packages to their sources. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(packageRoot, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read the package tsconfig.json');
  return {
    ...parsed.options,
    noEmit: true,
    paths: {
      '@quant/core': [join(packagesDir, 'core/src/index.ts')],
      '@quant/config': [join(packagesDir, 'config/src/index.ts')],
      '@quant/services': [join(servicesSrc, 'index.ts')],
    },
  };
}

/** Type-checks every example in one program; returns the problems, each naming the documented file and line. */
function typeCheck(all: readonly Example[]): string[] {
  const options = compilerOptions();
  const byPath = new Map(all.map((example) => [virtualPath(example), example]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const example = byPath.get(fileName);
    return example
      ? ts.createSourceFile(fileName, example.code, languageVersion, true)
      : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };
  host.fileExists = (fileName) => byPath.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => byPath.get(fileName)?.code ?? readFile.call(host, fileName);
  const program = ts.createProgram([...byPath.keys()], options, host);
  const problems: string[] = [];
  for (const [path, example] of byPath) {
    const source = program.getSourceFile(path);
    if (!source) {
      problems.push(`${example.file} example ${example.index}: not compiled`);
      continue;
    }
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const line =
        diagnostic.start === undefined ? undefined : source.getLineAndCharacterOfPosition(diagnostic.start).line;
      const where = line === undefined ? example.file : `${example.file}:${example.lines[line]}`;
      problems.push(`${where} (example ${example.index}): TS${diagnostic.code}: ${message}`);
    }
  }
  return problems;
}

/**
 * An example's code up to its last class implementing `Strategy` (imports,
 * helpers, the class), as a JavaScript module exporting the classes that
 * implement `Strategy`; the imports used only as types are dropped.
 */
function strategyModule(example: Example): { code: string; names: string[] } {
  const source = ts.createSourceFile('example.ts', example.code, ts.ScriptTarget.ES2022, true);
  const implementsStrategy = (statement: ts.Statement): statement is ts.ClassDeclaration =>
    ts.isClassDeclaration(statement) &&
    (statement.heritageClauses ?? []).some((clause) =>
      clause.types.some((type) => type.expression.getText(source) === 'Strategy'),
    );
  const classes = source.statements.filter(implementsStrategy);
  const last = classes[classes.length - 1];
  if (!last) return { code: '', names: [] };
  const names = classes.flatMap((statement) => (statement.name ? [statement.name.text] : []));
  const code = `${example.code.slice(0, last.end).replace(/^export class /gm, 'class ')}\nexport { ${names.join(', ')} };\n`;
  const { outputText } = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return { code: outputText, names };
}

describe('the @example blocks of the API docs', () => {
  it('are found in each documented file', () => {
    for (const file of DOCUMENTED) {
      expect(
        examples.filter((example) => example.file === file).length,
        `${file} has no @example with a ts block`,
      ).toBeGreaterThan(0);
    }
  });

  it('are reported with the documented file, line and compiler message when they do not compile', () => {
    const broken: Example = {
      file: 'packages/services/src/broken.ts',
      index: 1,
      code: "import { CsvBarSource } from '@quant/services';\n\nCsvBarSource.loadAll('data.csv');",
      lines: [20, 21, 22],
    };
    expect(typeCheck([broken])).toEqual([
      "packages/services/src/broken.ts:22 (example 1): TS2339: Property 'loadAll' does not exist on type 'typeof CsvBarSource'.",
    ]);
  }, 120_000);

  it('compile against the current API', () => {
    const problems = typeCheck(examples);
    expect(problems, problems.join('\n')).toEqual([]);
  }, 120_000);

  it("trade with the Strategy example's class on the real data", async () => {
    const example = examples.find((candidate) => candidate.file.endsWith('ports/strategy.ts'));
    if (!example) throw new Error('no Strategy example');
    const { code, names } = strategyModule(example);
    expect(names.length, 'a class implementing Strategy').toBe(1);
    // Inside the package's node_modules, so that imports of the workspace packages resolve; removed afterwards.
    const modules = join(packageRoot, 'node_modules');
    mkdirSync(modules, { recursive: true });
    const dir = mkdtempSync(join(modules, '.examples-'));
    let module: Record<string, new () => Strategy>;
    try {
      const file = join(dir, 'strategy.mjs');
      writeFileSync(file, code);
      module = await import(/* @vite-ignore */ pathToFileURL(file).href);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const Example = module[names[0] as string] as new () => Strategy;
    const strategy = new Example();
    const pipeline = await realPipeline({ strategies: [strategy] });
    await pipeline.run(march(1), march(4));
    await pipeline.system.orchestrator.stop();
    const signals = pipeline.events.filter(
      (event) => event.type === 'EntrySignal' && (event as { strategyName?: string }).strategyName === strategy.name,
    );
    const closed = pipeline.events.filter(
      (event) =>
        event.type === 'PositionClosed' &&
        (event as { position?: { strategyName?: string } }).position?.strategyName === strategy.name,
    );
    expect(signals.length, `entry signals of ${strategy.name}`).toBeGreaterThan(0);
    expect(closed.length, `positions of ${strategy.name} closed`).toBeGreaterThan(0);
    expect(pipeline.system.orchestrator.getAllMetrics().services.strategy_evaluation?.evaluation_errors).toBe(0);
  }, 120_000);
});
