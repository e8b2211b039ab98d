import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoggingError } from '../errors/core-errors.js';
import { FileSink } from './sinks.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-file-sink-'));

/** What `new FileSink(path)` threw. */
function refusal(path: string): unknown {
  try {
    new FileSink(path);
  } catch (error) {
    return error;
  }
  throw new Error(`FileSink accepted ${path}`);
}

describe('FileSink', () => {
  it('creates missing folders and appends lines', async () => {
    const path = join(dir, 'logs', 'nested', 'bot.log');
    const sink = new FileSink(path);
    sink.write('first');
    await sink.close();
    const again = new FileSink(path);
    again.write('second');
    await again.close();
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
  });

  it.each([
    [
      'a directory',
      () => {
        mkdirSync(join(dir, 'a-dir'), { recursive: true });
        return join(dir, 'a-dir');
      },
      /a-dir: /,
    ],
    [
      'a path under a file',
      () => {
        writeFileSync(join(dir, 'plain'), '');
        return join(dir, 'plain', 'bot.log');
      },
      /plain\/bot\.log: /,
    ],
    ['a path under /proc (it never hangs)', () => '/proc/quant-test/bot.log', /\/proc\/quant-test\/bot\.log: /],
    [
      'a FIFO (opening it would wait for a reader)',
      () => {
        const fifo = join(dir, 'pipe.log');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      },
      /pipe\.log: .*FIFO/,
    ],
  ])('refuses %s with LOG_FILE_UNWRITABLE, naming the path', (_name, make, message) => {
    const error = refusal(make());
    expect(LoggingError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LOG_FILE_UNWRITABLE' });
    expect((error as Error).message).toMatch(/^cannot append to /);
    expect((error as Error).message).toMatch(message);
  });
});
