#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages
 * (esbuild, rollup, turbo, biome binaries for other systems) that the package
 * registry reachable from this machine does not serve. `npm install` leaves
 * them out of the lock, and `npm ci` then refuses the lock as out of sync.
 *
 * Each missing package gets an entry with its version and the os / cpu / libc
 * it is built for, and no download address: `npm ci` skips it on any machine
 * it does not fit, exactly as it skips the packages it could download.
 *
 * Run after `npm install` changes the lock: `npm run lockfile:platforms`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const OS = [
  ['win32', 'win32'],
  ['windows', 'win32'],
  ['darwin', 'darwin'],
  ['android', 'android'],
  ['freebsd', 'freebsd'],
  ['openbsd', 'openbsd'],
  ['netbsd', 'netbsd'],
  ['openharmony', 'openharmony'],
  ['sunos', 'sunos'],
  ['aix', 'aix'],
  ['linux', 'linux'],
];
const CPU = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'arm'];

function platformOf(name) {
  const base = name.split('/').pop() ?? name;
  const os = OS.find(([token]) => base.includes(token))?.[1];
  let cpu = CPU.find((token) => base.split('-').includes(token) || base.includes(`-${token}`));
  if (!cpu && /-64$/.test(base)) cpu = 'x64';
  if (!os || !cpu) return undefined;
  const platform = { os: [os], cpu: [cpu] };
  if (os === 'linux') platform.libc = [base.includes('musl') ? 'musl' : 'glibc'];
  return platform;
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const prefix = path === '' ? '' : `${path}/`;
    const candidates = [`${prefix}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((candidate) => lock.packages[candidate])) continue;
    const platform = platformOf(dep);
    if (!platform) {
      console.error(`cannot tell the platform of ${dep} (needed by ${path || 'the root'}); add it by hand`);
      process.exitCode = 1;
      continue;
    }
    lock.packages[`node_modules/${dep}`] = {
      version: spec.replace(/^[\^~=]/, ''),
      dev: entry.dev,
      optional: true,
      ...platform,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform package entr${added === 1 ? 'y' : 'ies'} to package-lock.json`);
