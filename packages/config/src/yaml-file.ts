import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit as visitYaml,
} from 'yaml';
import { ConfigError } from './config-error.js';
import { readTextFile } from './read-file.js';

/** Alias expansions (`*name`) allowed in one YAML document; more is a "billion laughs" document. */
export const MAX_YAML_ALIASES = 100;

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
 *   of each syntax error (or the file, when it is nested too deeply to parse);
 *   `CONFIG_YAML_ALIASES` when its aliases expand more than 100 times,
 *   naming the file and the first alias; or `CONFIG_INVALID` when the
 *   top level is not a mapping.
 */
export function parseYamlFile(text: string, file: string): YamlFile {
  try {
    return parse(text, file);
  } catch (error) {
    if (error instanceof RangeError) {
      // The parser and the walks recurse: a document nested thousands of levels deep overflows the stack.
      throw new ConfigError(
        'CONFIG_YAML_SYNTAX',
        [{ path: '', source: file, message: 'the YAML is nested too deeply to be read' }],
        { cause: error },
      );
    }
    throw error;
  }
}

function parse(text: string, file: string): YamlFile {
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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let first = '';
    visitYaml(doc, {
      Alias(_, node) {
        if (!isAlias(node) || !node.range) return;
        const { line, column } = at(node.range[0]);
        first = `; the first alias is at line ${line}, column ${column}`;
        return visitYaml.BREAK;
      },
    });
    throw new ConfigError(
      'CONFIG_YAML_ALIASES',
      [
        {
          path: '',
          source: file,
          message: `YAML aliases (*name) expand to too much data: more than ${MAX_YAML_ALIASES} expansions, as in a "billion laughs" document${first}`,
        },
      ],
      { cause: error },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        path: '',
        source: `${file}:1:1`,
        message: `expected a mapping (key: value lines) at the top level, got ${Array.isArray(data) ? 'a list' : JSON.stringify(data)}`,
      },
    ]);
  }
  return { file, data, valuePositions, keyPositions };
}

/**
 * Reads and parses a YAML file, keeping positions (see {@link parseYamlFile}).
 * Only a regular file of at most `maxBytes` bytes is read.
 * @param path - the file to read.
 * @param what - what the file is, for the message, e.g. `strategies file`.
 * @param shown - how to name the file in messages; `path` by default.
 * @param maxBytes - the largest size accepted, in bytes; 1 MiB by default.
 * @throws {@link ConfigError} `CONFIG_FILE_UNREADABLE`, `CONFIG_NOT_A_FILE` or
 *   `CONFIG_TOO_LARGE` naming the file, or the errors of {@link parseYamlFile}.
 */
export function readYamlFile(path: string, what: string, shown: string = path, maxBytes?: number): YamlFile {
  return parseYamlFile(readTextFile(path, what, shown, maxBytes), shown);
}
