import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.package.js';

// ESM only: ccxt's own CommonJS build requires ESM-only packages (@noble/curves), so a CommonJS entry of this
// adapter could not load without require(esm), which Node 20.19 and later have anyway.
export default defineConfig({ ...(packageBuild as object), format: ['esm'] });
