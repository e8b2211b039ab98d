import { ConfigError, type ConfigIssue } from './config-error.js';

/** The variables of a `.env` file and the line each was set on. */
export interface EnvFile {
  /** Variable name → value. */
  readonly vars: Readonly<Record<string, string>>;
  /** Variable name → the 1-based line it was (last) set on. */
  readonly lines: ReadonlyMap<string, number>;
  /** Things worth logging, each with its `.env:LINE`, e.g. a variable set twice. */
  readonly warnings: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** What an escape inside double quotes stands for. */
const DOUBLE_QUOTED_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', '"': '"', '\\': '\\' };
const QUOTES = new Set(['"', "'", '`']);

/** The index of the quote closing the value that opens at 0, or -1; inside double quotes `\"` is not a close. */
function closingQuote(raw: string, quote: string): number {
  for (let at = raw.indexOf(quote, 1); at >= 0; at = raw.indexOf(quote, at + 1)) {
    if (quote !== '"') return at;
    let backslashes = 0;
    while (raw[at - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Parses the text of a `.env` file, line by line, reporting every line that is
 * not a variable: `NAME=value`, optionally after `export `, with `# comments`,
 * blank lines, and values in single, double (with `\n` and `\"` escapes) or back quotes,
 * which may span lines. An unquoted value ends at ` #` (a comment). Unlike
 * Node's `util.parseEnv`, a line without `=` is an error rather than silently
 * taking the next variable as its value. Values are never put in messages.
 * @param text - the file's content.
 * @param file - how to name the file in messages, e.g. `.env`.
 * @returns the variables, the line of each, and warnings (a variable set twice: the last value is used).
 * @throws {@link ConfigError} `ENV_FILE_INVALID` listing every bad line, each with source `FILE:LINE`.
 */
export function parseEnvFile(text: string, file: string): EnvFile {
  const vars: Record<string, string> = {};
  const lines = new Map<string, number>();
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  const source = text.split(/\r?\n/);
  for (let index = 0; index < source.length; index++) {
    const lineNumber = index + 1;
    const where = `${file}:${lineNumber}`;
    const line = (source[index] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = /^export\s/.test(line) ? line.slice('export'.length).trimStart() : line;
    const equals = body.indexOf('=');
    if (equals < 0) {
      issues.push({ path: '', source: where, message: 'expected NAME=value, found no "=" on this line' });
      continue;
    }
    const name = body.slice(0, equals).trim();
    if (!NAME.test(name)) {
      issues.push({
        path: '',
        source: where,
        message:
          name === ''
            ? 'expected NAME=value, found no name before "="'
            : 'expected NAME=value with a NAME of letters, digits, _, . and - (not starting with a digit)',
      });
      continue;
    }
    let raw = body.slice(equals + 1).trimStart();
    let value: string;
    const quote = raw[0];
    if (quote !== undefined && QUOTES.has(quote)) {
      // A quoted value may continue on the following lines until its closing quote.
      let close = closingQuote(raw, quote);
      while (close < 0 && index + 1 < source.length) {
        index++;
        raw += `\n${source[index]}`;
        close = closingQuote(raw, quote);
      }
      if (close < 0) {
        issues.push({
          path: '',
          source: where,
          message: `the value of ${name} opens a ${quote} quote that is never closed`,
        });
        continue;
      }
      const rest = raw.slice(close + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        issues.push({
          path: '',
          source: where,
          message: `unexpected text after the closing ${quote} of ${name}'s value; put a # before a comment`,
        });
        continue;
      }
      value = raw.slice(1, close);
      if (quote === '"')
        value = value.replace(/\\(["nr\\])/g, (_, char: string) => DOUBLE_QUOTED_ESCAPES[char] ?? char);
    } else {
      const comment = raw.search(/(^|\s)#/);
      value = (comment < 0 ? raw : raw.slice(0, comment)).trim();
    }
    const previous = lines.get(name);
    if (previous !== undefined) {
      warnings.push(
        `${where}: ${name} is set again (first on line ${previous}); the value of line ${lineNumber} is used`,
      );
    }
    vars[name] = value;
    lines.set(name, lineNumber);
  }
  if (issues.length > 0) throw new ConfigError('ENV_FILE_INVALID', issues);
  return { vars, lines, warnings };
}
