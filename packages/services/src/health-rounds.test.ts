import { describe, expect, it, vi } from 'vitest';
import { march, realPipeline } from './test-support/real-data.js';

describe('health rounds on a simulated clock', () => {
  it('come every orchestrator.simulated_health_check_interval of simulated time, not every minute', async () => {
    // The clock starts at 23:59 the day before and the run ends at 00:00 the day after: 24 h 1 min.
    for (const [env, rounds] of [
      [{}, 24],
      [{ ORCHESTRATOR_SIMULATED_HEALTH_CHECK_INTERVAL: '60' }, 24 * 60 + 1],
    ] as const) {
      const pipeline = await realPipeline({ env });
      const data = pipeline.system.services.dataFetching;
      if (!data) throw new Error('no data service');
      const checks = vi.spyOn(data, 'healthCheck');
      await pipeline.run(march(1, 0, 0), march(1, 23, 59));
      await pipeline.system.orchestrator.stop();
      expect(checks.mock.calls.length).toBe(rounds);
    }
  }, 60_000);
});
