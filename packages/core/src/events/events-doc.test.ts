import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../test-support/event-samples.js';

const doc = readFileSync(new URL('../../../../docs/EVENTS.md', import.meta.url), 'utf8');
const sections = new Map(
  doc
    .split(/^### /m)
    .slice(1)
    .map((section) => {
      const [title = '', ...body] = section.split('\n');
      const fields = body.flatMap((line) => /^\|\s*`(\w+)`\s*\|/.exec(line)?.[1] ?? []);
      return [title.trim(), fields] as const;
    }),
);

describe('docs/EVENTS.md', () => {
  it('has one section per event and nothing else', () => {
    expect([...sections.keys()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(Object.entries(SAMPLES))('lists every payload field of %s', (type, payload) => {
    expect(sections.get(type)).toEqual(Object.keys(payload));
  });
});
