import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/simulated-clock.js';
import { withCorrelation } from '../correlation/correlation.js';
import { LogManager } from './log-manager.js';
import { MemorySink } from './sinks.js';

const clock = new SimulatedClock(Date.UTC(2025, 0, 6, 10, 0, 0, 123));
const CORRELATION = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

describe('LogManager', () => {
  it('writes the original text format with correlation id and service', () => {
    const sink = new MemorySink();
    const logger = new LogManager({ clock, sinks: [sink] }).getLogger('services.DataFetchingService', {
      service: 'DataFetchingService',
    });
    withCorrelation(() => logger.info('Fetched data for EURUSD 1'), CORRELATION);
    logger.warn('No correlation here', { symbol: 'EURUSD', bars: 3 });
    expect(sink.lines).toEqual([
      '[2025-01-06 10:00:00.123] [a1b2c3d4] [DataFetchingService] INFO services.DataFetchingService: Fetched data for EURUSD 1',
      '[2025-01-06 10:00:00.123] [-] [DataFetchingService] WARNING services.DataFetchingService: No correlation here symbol=EURUSD bars=3',
    ]);
  });

  it('writes JSON lines with the original keys and extra fields', () => {
    const sink = new MemorySink();
    const logger = new LogManager({ clock, format: 'json', sinks: [sink] }).getLogger('services.DataFetchingService', {
      service: 'DataFetchingService',
    });
    withCorrelation(
      () => logger.info('Fetched 3 bars for EURUSD 1', { symbol: 'EURUSD', timeframe: '1', bars: 3 }),
      'a1b2c3d4',
    );
    expect(JSON.parse(sink.lines[0] ?? '')).toEqual({
      timestamp: '2025-01-06T10:00:00.123+00:00',
      level: 'INFO',
      logger: 'services.DataFetchingService',
      message: 'Fetched 3 bars for EURUSD 1',
      correlation_id: 'a1b2c3d4',
      service: 'DataFetchingService',
      symbol: 'EURUSD',
      timeframe: '1',
      bars: 3,
    });
  });

  it('redacts secrets at any depth in both formats', () => {
    const sink = new MemorySink();
    const manager = new LogManager({ clock, format: 'json', sinks: [sink] });
    manager.getLogger('broker').info('connecting', {
      user: 'alice',
      password: 'hunter2',
      broker: { apiKey: 'AKIA123', api_key: 'k', nested: { token: 't0k', secret: 's' } },
    });
    expect(sink.lines[0]).not.toMatch(/hunter2|AKIA123|t0k/);
    expect(JSON.parse(sink.lines[0] ?? '')).toMatchObject({
      user: 'alice',
      password: '[REDACTED]',
      broker: { apiKey: '[REDACTED]', api_key: '[REDACTED]', nested: { token: '[REDACTED]', secret: '[REDACTED]' } },
    });
    const text = new MemorySink();
    new LogManager({ clock, sinks: [text] }).getLogger('broker').info('connecting', { access_token: 'xyz' });
    expect(text.lines[0]).toContain('access_token=[REDACTED]');
  });

  it('applies the default level and per-service levels', () => {
    const sink = new MemorySink();
    const manager = new LogManager({
      clock,
      level: 'warn',
      sinks: [sink],
      serviceLevels: { DataFetchingService: 'debug' },
    });
    const data = manager.getLogger('services.DataFetchingService', { service: 'DataFetchingService' });
    const other = manager.getLogger('orchestrator');
    data.debug('data debug');
    other.info('other info');
    other.error('other error');
    expect(sink.records.map((record) => record.message)).toEqual(['data debug', 'other error']);
    expect(manager.getLogger('orchestrator')).toBe(other);
    const levels = ['trace', 'debug', 'info', 'warn', 'error'] as const;
    expect(levels.map((level) => data.isLevelEnabled?.(level))).toEqual([false, true, true, true, true]);
    expect(levels.map((level) => other.isLevelEnabled?.(level))).toEqual([false, false, false, true, true]);
    const silent = new LogManager({ clock, level: 'silent', sinks: [sink] }).getLogger('quiet');
    expect(levels.some((level) => silent.isLevelEnabled?.(level))).toBe(false);
  });

  it('keeps two managers independent', () => {
    const a = new MemorySink();
    const b = new MemorySink();
    new LogManager({ clock, level: 'error', sinks: [a] }).getLogger('same').info('to a');
    new LogManager({ clock, level: 'info', sinks: [b] }).getLogger('same').info('to b');
    expect(a.lines).toEqual([]);
    expect(b.lines).toHaveLength(1);
  });

  it('appends to a log file, creating its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-log-'));
    const file = join(dir, 'logs', 'trading_system.log');
    const manager = new LogManager({ clock, sinks: [], logFile: file, correlationIds: false });
    manager.getLogger('orchestrator').info('=== STARTING ALL SERVICES ===');
    await manager.close();
    expect(readFileSync(file, 'utf8')).toBe(
      '[2025-01-06 10:00:00.123] [orchestrator] INFO orchestrator: === STARTING ALL SERVICES ===\n',
    );
  });
});
