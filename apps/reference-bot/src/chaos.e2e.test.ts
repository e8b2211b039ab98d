import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKillTest } from './chaos/kill-test.js';

/**
 * The kill test of crash recovery (see `chaos/kill-test.ts`): in CI a short form (`QUANT_CHAOS_KILLS`, 6 by
 * default); `npm run chaos` kills the bot 50 times. The figures go to `bench-results/chaos.json`.
 */
const kills = Number(process.env.QUANT_CHAOS_KILLS ?? 6);
const seed = Number(process.env.QUANT_CHAOS_SEED ?? 14);
const dir = mkdtempSync(join(tmpdir(), 'quant-bot-chaos-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the kill test', () => {
  it(
    `loses and duplicates nothing when live --exchange is SIGKILLed ${kills} times mid-trade`,
    async () => {
      const report = await runKillTest({ kills, dir, speed: 240, seed, log: (line) => console.log(line) });
      const results = new URL('../../../bench-results/', import.meta.url).pathname;
      mkdirSync(results, { recursive: true });
      writeFileSync(join(results, 'chaos.json'), `${JSON.stringify(report, null, 2)}\n`);
      console.log(JSON.stringify(report, null, 2));
      expect(report.venueOrders, 'the bot traded').toBeGreaterThan(kills / 2);
      expect(report.duplicateClientOrderIds).toBe(0);
      expect(report.venueFillsMissingFromStore).toBe(0);
      // The venue's position, less the fills of orders still working when the last run stopped (the next start applies them).
      expect(report.storePosition).toBeCloseTo(report.venuePosition - report.inFlightPosition, 9);
      expect(report.sequenceGaps).toBe(0);
      // The same trades as an uninterrupted run, but for those a kill explains (a signal while down, or after).
      expect(report.otherDifferences).toEqual([]);
      expect(report.kills).toBe(kills);
      expect(report.runs, 'the killed runs, the stopped one, the last start').toBe(kills + 2);
      expect(report.runsCrashed).toBe(kills);
      expect(report.recoverySummaries, 'every start reconciled and said so').toBe(kills + 2);
      expect(report.haltedStarts).toBe(0);
      expect(report.cleanStopSeenByNextStart).toBe(true);
      expect(report.dbStatusReconciliation).toBe('trade');
    },
    600_000 + kills * 30_000,
  );
});
