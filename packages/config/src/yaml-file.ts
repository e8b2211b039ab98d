import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';

/** A position in a file, 1-based. */
export interface FilePosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed YAML file with the position of every key and value. */
export interface YamlFile {
  /** The file's path as given, for messages. */
  readonly file: string;
  /** The parsed data (`{}` for an empty file). */
  readonly data: unknown;
  /** Position of each value by dotted path (`trading.timeframes.1`). */
  readonly valuePositions: ReadonlyMap<string, FilePosition>;
  /** Position of each key by dotted path. */
  readonly keyPositions: ReadonlyMap<string, FilePosition>;
}

/**
 * Parses YAML text, keeping the line and column of every key and value.
 * @param text - the file's content.
 * @param file - its path, for messages.
 * @throws {@link ConfigError} `CONFIG_YAML_SYNTAX` naming file, line and column
 *   of each syntax error; or `CONFIG_INVALID` when the top level is not a mapping.
 */
export function parseYamlFile(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'CONFIG_YAML_SYNTAX',
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', source: `${file}:${line}:${col}`, message: `invalid YAML: ${error.message.split('\n')[0]}` };
      }),
      { cause: doc.errors[0] },
    );
  }
  const at = (offset: number): FilePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const valuePositions = new Map<string, FilePosition>();
  const keyPositions = new Map<string, FilePosition>();
  const visit = (node: Node | null | undefined, path: string): void => {
    if (!node) return;
    if (node.range) valuePositions.set(path, at(node.range[0]));
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const childPath = path === '' ? String(pair.key.value) : `${path}.${String(pair.key.value)}`;
        if (pair.key.range) {
          keyPositions.set(childPath, at(pair.key.range[0]));
          valuePositions.set(childPath, at(pair.key.range[0]));
        }
        visit(pair.value as Node | null, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item as Node, path === '' ? String(index) : `${path}.${index}`);
      });
    }
  };
  visit(doc.contents as Node | null, '');
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        path: '',
        source: `${file}:1:1`,
        message: 'expected a mapping of sections (services, trading, …) at the top level',
      },
    ]);
  }
  return { file, data, valuePositions, keyPositions };
}

/**
 * Reads and parses a YAML file, keeping positions (see {@link parseYamlFile}).
 * @param path - the file to read.
 * @param what - what the file is, for the message, e.g. `strategies file`.
 * @param shown - how to name the file in messages; `path` by default.
 * @throws {@link ConfigError} `CONFIG_FILE_UNREADABLE` naming the file, or the errors of {@link parseYamlFile}.
 */
export function readYamlFile(path: string, what: string, shown: string = path): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      [{ path: '', source: shown, message: `cannot read the ${what}: ${(error as Error).message}` }],
      { cause: error },
    );
  }
  return parseYamlFile(text, shown);
}
