#!/usr/bin/env node
/**
 * Checks that every published package works from CommonJS without Node's
 * require(esm): for each package of `packages/*` that is not private, each
 * subpath export with a `require` condition is `require`d in a fresh
 * `node --no-experimental-require-module` (as on Node < 20.19, and as tsx's
 * CommonJS loader and bundlers do), from outside the repository's packages.
 * A subpath export without a `require` condition is ESM only: it must then
 * be importable, and `require` must refuse it with ERR_PACKAGE_PATH_NOT_EXPORTED
 * (a clear error, never a half-loaded module).
 *
 * It also lists each package's dependencies that are ESM only (not
 * `require`-able that way) and fails when a CommonJS file of the package still
 * `require`s one: those must be bundled into the CommonJS build (see
 * packages/services/tsup.config.ts). Run after `npm run build`.
 *
 * Usage: node scripts/require-check.cjs
 */
'use strict';

const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync, existsSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const NODE_FLAGS = ['--no-experimental-require-module'];

/** Runs `code` in a fresh Node process from the repository root; returns the exit status and output. */
function run(code, flags = NODE_FLAGS, inputType = 'commonjs') {
  const child = spawnSync(process.execPath, [...flags, `--input-type=${inputType}`, '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  return { ok: child.status === 0, output: `${child.stdout}${child.stderr}`.trim() };
}

/** The line of an error output that says what went wrong. */
function reason(output) {
  const lines = output.split('\n').map((text) => text.trim());
  return lines.find((text) => /^\w*Error\b( \[\w+\])?:/.test(text)) ?? lines.find((text) => text !== '') ?? '';
}

/** The CommonJS files under `dir` (recursively). */
function cjsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return cjsFiles(path);
    return name.endsWith('.cjs') ? [path] : [];
  });
}

/** Bare package names a CommonJS file requires (node: built-ins excluded). */
function requiredPackages(file) {
  const names = new Set();
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/\brequire\(["']([^"'./][^"']*)["']\)/g)) {
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
  }
  return names;
}

const esmOnlyCache = new Map();
/** Whether a dependency cannot be `require`d without require(esm). */
function isEsmOnly(name) {
  if (!esmOnlyCache.has(name)) {
    const builtin = require('node:module').builtinModules.includes(name);
    esmOnlyCache.set(name, !builtin && !run(`require(${JSON.stringify(name)})`).ok);
  }
  return esmOnlyCache.get(name);
}

const failures = [];
const packagesDir = join(root, 'packages');
for (const folder of readdirSync(packagesDir).sort()) {
  const manifestPath = join(packagesDir, folder, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private) continue;
  const name = manifest.name;
  console.log(`${name}`);
  const exportsField = manifest.exports ?? { '.': manifest.main };
  for (const [subpath, target] of Object.entries(exportsField)) {
    if (subpath === './package.json') continue;
    const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
    const hasRequire =
      typeof target === 'string' || (target !== null && typeof target === 'object' && 'require' in target);
    if (hasRequire) {
      const result = run(`require(${JSON.stringify(specifier)})`);
      console.log(`  require(${JSON.stringify(specifier)}): ${result.ok ? 'ok' : `FAILED: ${reason(result.output)}`}`);
      if (!result.ok) failures.push(`require(${JSON.stringify(specifier)}) failed: ${reason(result.output)}`);
    } else {
      const imported = run(`await import(${JSON.stringify(specifier)})`, [], 'module');
      const required = run(`require(${JSON.stringify(specifier)})`);
      const refused = !required.ok && required.output.includes('ERR_PACKAGE_PATH_NOT_EXPORTED');
      console.log(
        `  ${specifier}: ESM only (no "require" condition); import ${imported.ok ? 'ok' : 'FAILED'}, require ${refused ? 'refused as expected' : 'NOT refused cleanly'}`,
      );
      if (!imported.ok) failures.push(`import(${JSON.stringify(specifier)}) failed: ${reason(imported.output)}`);
      if (!refused)
        failures.push(`require(${JSON.stringify(specifier)}) should fail with ERR_PACKAGE_PATH_NOT_EXPORTED`);
    }
  }
  const dependencies = Object.keys(manifest.dependencies ?? {}).filter((dep) => !dep.startsWith('@quant/'));
  const esmOnly = dependencies.filter(isEsmOnly);
  console.log(
    `  ESM-only dependencies: ${esmOnly.length > 0 ? esmOnly.join(', ') : 'none'} (of ${dependencies.join(', ') || 'none'})`,
  );
  for (const file of cjsFiles(join(packagesDir, folder, 'dist'))) {
    for (const dep of requiredPackages(file)) {
      if (esmOnly.includes(dep) || (!dependencies.includes(dep) && !dep.startsWith('@quant/') && isEsmOnly(dep))) {
        failures.push(
          `${file.slice(root.length + 1)} requires the ESM-only package ${dep}: bundle it into the CJS build, or ship that entry as ESM only`,
        );
      }
    }
  }
}

if (failures.length > 0) {
  console.error(`\nrequire check failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\nrequire check passed: every CommonJS entry loads without require(esm)');
