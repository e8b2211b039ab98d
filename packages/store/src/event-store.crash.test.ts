import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaseEvent } from '@quant/core';
import Database from 'better-sqlite3';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from './event-store.js';
import { march, realEventBatches } from './test-support/real-stream.js';
import { everyStoredEvent } from './test-support/stored-events.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
/** The child: a script on the built package (`turbo run test` builds it first). */
const WRITER = fileURLToPath(new URL('test-support/crash-writer.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const KILLS = 20;
/** The most cycles a child commits before it is killed. */
const MOST_CYCLES = 30;

/**
 * Starts the writer and kills it with SIGKILL as soon as it printed `cycle <killAfter>` (read from its stdout, no
 * timer). Resolves with the last cycle it printed (-1 when none), once it has exited.
 */
function writeThenKill(url: string, batchesFile: string, start: number, killAfter: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [WRITER, url, batchesFile, String(start)], {
    cwd: PACKAGE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lastCycle = -1;
  let killed = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const match of stdout.matchAll(/^cycle (\d+)$/gm)) lastCycle = Math.max(lastCycle, Number(match[1]));
    if (!killed && lastCycle >= killAfter) {
      killed = child.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(lastCycle);
      else reject(new Error(`the writer ended by itself (code ${code}, signal ${signal})\n${stdout}\n${stderr}`));
    });
  });
}

describe('EventStore on SQLite, killed with SIGKILL while appending', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quant-store-crash-'));
  const batchesFile = join(dir, 'batches.json');
  let batches: BaseEvent[][] = [];
  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: the crash test's child needs npm run build first`);
    // The example bot's real cycles (one correlation id each, a few events), from March 1 at noon (it first trades
    // at 13:36): the cycles the child appends.
    const all = await realEventBatches(march(1), march(2));
    batches = all.filter((batch) => (batch[0]?.timestamp ?? 0) >= march(1, 12));
    writeFileSync(batchesFile, JSON.stringify(batches));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps whole cycles, a gap-free sequence and projections equal to a rebuild, over ${KILLS} kills`, async () => {
    expect(batches.length).toBeGreaterThan(KILLS * MOST_CYCLES);
    expect(batches.flat().some((event) => event.type === 'OrderFilled')).toBe(true);
    const seed = Number(process.env.QUANT_CRASH_SEED ?? Date.now() % 1_000_000);
    const rng = xoroshiro128plus(seed);
    const next = () => uniformFloat64(rng);
    const url = join(dir, 'quant.db');
    // boundaries[k]: how many events the first k cycles hold.
    const boundaries = [0];
    for (const batch of batches) boundaries.push((boundaries.at(-1) ?? 0) + batch.length);
    let committed = 0; // cycles stored so far (a prefix of `batches`)
    for (let kill = 1; kill <= KILLS; kill++) {
      const context = `kill ${kill} of ${KILLS} (seed ${seed}; QUANT_CRASH_SEED=${seed} repeats it)`;
      const killAfter = committed + Math.floor(next() * MOST_CYCLES);
      const printed = await writeThenKill(url, batchesFile, committed, killAfter);
      expect(printed, context).toBeGreaterThanOrEqual(killAfter);

      const raw = new Database(url);
      try {
        expect(raw.pragma('integrity_check', { simple: true }), context).toBe('ok');
      } finally {
        raw.close();
      }
      const store = await EventStore.open(url);
      try {
        const stored = await everyStoredEvent(store);
        expect(
          stored.map((event) => event.seq),
          context,
        ).toEqual(stored.map((_, index) => index + 1));
        expect(await store.lastSeq(), context).toBe(stored.length);
        // Whole cycles only: the log is the first k cycles, each with all its events, in order, k at least the
        // cycles the child said it committed.
        const k = boundaries.indexOf(stored.length);
        expect(k, `${context}: ${stored.length} events are not a whole number of cycles`).toBeGreaterThanOrEqual(0);
        expect(k, context).toBeGreaterThanOrEqual(printed + 1);
        expect(
          stored.map((event) => event.id),
          context,
        ).toEqual(
          batches
            .slice(0, k)
            .flat()
            .map((event) => event.id),
        );
        const projected = {
          orders: await store.orders(),
          fills: await store.fills(),
          positions: await store.positions(),
        };
        await store.rebuildProjections();
        expect(
          { orders: await store.orders(), fills: await store.fills(), positions: await store.positions() },
          context,
        ).toEqual(projected);
        committed = k;
      } finally {
        await store.close();
      }
    }
    // The cycles appended trade: the projections compared hold orders, fills and positions.
    const store = await EventStore.open(url);
    try {
      expect((await store.fills()).length).toBeGreaterThan(0);
      expect((await store.positions()).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 120_000);
});
