import type { HealthReport, ServiceState } from '@quant/core';
import { describe, expect, it } from 'vitest';
import type { ApiBot } from './bot-view.js';
import { checkServices } from './health-checks.js';

/** A bot whose services report these statuses and details (the API reads nothing else of it here). */
function botReporting(reports: Record<string, Pick<HealthReport, 'status' | 'details'>>): ApiBot {
  const full = Object.fromEntries(
    Object.entries(reports).map(([service, report]) => [
      service,
      {
        service,
        ...report,
        healthy: report.status !== 'unhealthy',
        state: 'running' as ServiceState,
        checkedAt: 0,
      } satisfies HealthReport,
    ]),
  );
  return {
    orchestrator: {
      getServiceHealth: () => full,
      getAllMetrics: () => {
        throw new Error('not read by checkServices');
      },
      getSchedule: () => {
        throw new Error('not read by checkServices');
      },
    },
  };
}

describe('checkServices', () => {
  it('is ok while every service is healthy or degraded without a halt', () => {
    const check = checkServices(
      botReporting({
        data_fetching: { status: 'healthy', details: {} },
        trade_execution: { status: 'degraded', details: { unknownOrders: 1 } },
      }),
    );
    expect(check).toMatchObject({ status: 'ok' });
    expect(check.reason).toBeUndefined();
  });

  it('is unhealthy when reconciliation halted trading, though the service is only degraded, and says why', () => {
    const check = checkServices(
      botReporting({
        data_fetching: { status: 'unhealthy', details: {} },
        trade_execution: {
          status: 'degraded',
          details: { halted: 'position BTCUSDT: the store holds 0.5, the venue 0' },
        },
      }),
    );
    expect(check).toMatchObject({
      status: 'unhealthy',
      reason:
        'unhealthy: data_fetching; trade_execution: trading halted: position BTCUSDT: the store holds 0.5, the venue 0',
    });
  });

  it('is unknown without a bot', () => {
    expect(checkServices(undefined)).toEqual({ status: 'unknown', message: 'no bot is attached to this API' });
  });
});
