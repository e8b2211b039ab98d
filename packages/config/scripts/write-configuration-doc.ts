/** Writes docs/CONFIGURATION.md from the schemas. */
import { writeFileSync } from 'node:fs';
import { renderConfigurationReference } from '../src/config-docs.js';

const target = new URL('../../../docs/CONFIGURATION.md', import.meta.url);
writeFileSync(target, renderConfigurationReference());
console.log(`wrote ${target.pathname}`);
