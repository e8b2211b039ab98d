import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationReference } from './config-docs.js';
import { configLeaves } from './schema/leaves.js';

describe('docs/CONFIGURATION.md', () => {
  it('is the reference generated from the schemas (run `npm run docs:config -w @quant/config` after a change)', () => {
    const onDisk = readFileSync(new URL('../../../docs/CONFIGURATION.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderConfigurationReference());
  });

  it('documents every key with its variable, default and a description', () => {
    const reference = renderConfigurationReference();
    for (const leaf of configLeaves()) {
      expect(reference).toContain(`\`${leaf.envVar}\``);
      expect(leaf.description).not.toBe('');
    }
  });
});
