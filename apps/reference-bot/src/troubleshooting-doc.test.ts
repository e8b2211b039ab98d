import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './test-support/run-cli.js';

/** The source files of the packages and the app (not tests), recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every code of every `export type …ErrorCode = 'A' | 'B' …;` union. */
function errorCodes(): Set<string> {
  const codes = new Set<string>();
  const roots = ['packages', 'apps'].flatMap((top) =>
    readdirSync(join(ROOT, top)).map((name) => join(ROOT, top, name, 'src')),
  );
  for (const file of roots.flatMap((root) => sources(root))) {
    for (const union of readFileSync(file, 'utf8').matchAll(/export type \w+ErrorCode =([^;]*);/g)) {
      for (const code of (union[1] ?? '').matchAll(/'([^']+)'/g)) codes.add(code[1] as string);
    }
  }
  return codes;
}

describe('docs/TROUBLESHOOTING.md', () => {
  it('lists every coded error of the code, and no other, with its meaning and fix', () => {
    const doc = readFileSync(join(ROOT, 'docs/TROUBLESHOOTING.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Error codes'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$/gm)];
    const documented = rows.map((row) => row[1] as string);
    const codes = errorCodes();
    expect(codes.size).toBeGreaterThan(60);
    expect(new Set(documented)).toEqual(codes);
    expect(documented).toHaveLength(codes.size);
    for (const row of rows) {
      expect((row[2] as string).trim().length, row[1]).toBeGreaterThan(5);
      expect((row[3] as string).trim().length, row[1]).toBeGreaterThan(3);
    }
  });
});
