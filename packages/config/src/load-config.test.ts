import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfigError } from './config-error.js';
import { describeConfig } from './load-config.js';
import { failure, load } from './test-support.js';

const EXAMPLE = readFileSync(new URL('../../../config/services.yaml', import.meta.url), 'utf8');

describe('loadConfig defaults', () => {
  it('uses every default and warns once when there is no file', () => {
    const { config, warnings, file } = load();
    expect(file).toBeNull();
    expect(warnings).toEqual([
      'no configuration file at config/services.yaml: using defaults and environment variables',
    ]);
    expect(config).toEqual({
      services: {
        data_fetching: { enabled: true, fetch_interval: 5, retry_attempts: 3, candle_index: 1, nbr_bars: 3 },
        indicator_calculation: { enabled: true, recent_rows_limit: 6, track_regime_changes: true },
        strategy_evaluation: { enabled: true, evaluation_mode: 'on_new_candle', min_rows_required: 3 },
        trade_execution: { enabled: true, execution_mode: 'immediate', batch_size: 1 },
      },
      event_bus: { mode: 'synchronous', event_history_limit: 1000, log_all_events: false, max_queue_size: 10_000 },
      orchestrator: {
        enable_auto_restart: true,
        health_check_interval: 60,
        simulated_health_check_interval: 3600,
        status_log_interval: 10,
        max_restarts: 5,
        restart_window: 600,
        start_timeout: 60,
        stop_timeout: 10,
      },
      logging: {
        level: 'info',
        format: 'text',
        correlation_ids: true,
        file_output: false,
        log_file: 'logs/trading_system.log',
        service_levels: {},
      },
      trading: { bot_id: 'quant', symbol: 'EURUSD', symbols: ['EURUSD'], timeframes: ['1m', '5m', '15m'] },
      risk: {
        daily_loss_limit: 1000,
        max_positions: 10,
        max_position_size: 1,
        max_position_sizes: {},
        max_leverage: 1,
        news_blocks: [],
        trading_hours: '00:00-24:00',
      },
      paper_broker: { currency: 'USDT', initial_cash: 100_000, fee_bps: 10, slippage_bps: 1, native_stops: true },
      store: { url: 'data/quant.db', events: 'trading', synchronous: 'normal', retention_days: 30 },
      exchange: {
        id: 'binance',
        sandbox: false,
        rate_limit: true,
        url: '',
        timeout: 10,
        api_key: '',
        api_secret: '',
      },
      recovery: {
        heartbeat_interval: 30,
        stale_after: 300,
        on_mismatch: 'halt',
        balance_tolerance_bps: 10,
        reconcile_interval: 300,
        cancel_external_orders: false,
      },
      api: { listen: '', token: '', disk_min_free_mb: 1024, max_query_bytes: 4096 },
      notifications: {
        daily_summary_cron: '30 16 * * 1-5',
        daily_summary_time_zone: 'America/New_York',
        watchlist_bars: 60,
        fill: { channels: [], min_severity: 'info', recipients: [] },
        position: { channels: ['email', 'webhook'], min_severity: 'info', recipients: [] },
        alert: { channels: ['email', 'webhook'], min_severity: 'warning', recipients: [] },
        recovery: { channels: ['email', 'webhook'], min_severity: 'info', recipients: [] },
        daily_summary: { channels: ['email', 'webhook'], min_severity: 'info', recipients: [] },
        coalesce_window: 300,
        max_attempts: 3,
        retry_delay: 5,
        max_message_bytes: 65_536,
        email: {
          smtp_host: '',
          smtp_port: 587,
          smtp_security: 'starttls',
          smtp_user: '',
          smtp_password: '',
          from: '',
          to: [],
          timeout: 10,
        },
        webhook: { url: '', timeout: 10 },
      },
    });
  });

  it('returns a deeply frozen config', () => {
    const { config } = load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.services.data_fetching)).toBe(true);
    expect(Object.isFrozen(config.trading.timeframes)).toBe(true);
  });

  it('fills the keys a partial file leaves out', () => {
    const { config } = load({ 'config/services.yaml': 'risk:\n  max_positions: 2\n' });
    expect(config.risk).toMatchObject({ daily_loss_limit: 1000, max_positions: 2, max_position_size: 1 });
    expect(config.services.data_fetching.fetch_interval).toBe(5);
  });
});

describe('the example config/services.yaml', () => {
  it('loads unchanged, with the seeds values and fetch_interval 30', () => {
    const { config, warnings, file, sources } = load({ 'config/services.yaml': EXAMPLE });
    expect(warnings).toEqual([]);
    expect(file).toBe('config/services.yaml');
    expect(config.services.data_fetching.fetch_interval).toBe(30);
    expect(config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'EURUSD',
      symbols: ['EURUSD'],
      timeframes: ['1m', '5m', '15m'],
    });
    expect(config.logging.level).toBe('info');
    expect(config.services.trade_execution.batch_size).toBe(1);
    expect(sources.get('services.data_fetching.fetch_interval')).toEqual({
      kind: 'file',
      file: 'config/services.yaml',
      line: 7,
      column: 21,
    });
    expect(sources.get('services.trade_execution.batch_size')).toEqual({ kind: 'default' });
  });
});

describe('ranges', () => {
  it.each([
    [
      'services.data_fetching.fetch_interval',
      'services:\n  data_fetching:\n    fetch_interval: 0\n',
      'expected >0, got 0',
    ],
    [
      'services.data_fetching.retry_attempts',
      'services:\n  data_fetching:\n    retry_attempts: -1\n',
      'expected >=0, got -1',
    ],
    ['services.data_fetching.nbr_bars', 'services:\n  data_fetching:\n    nbr_bars: 2.5\n', 'got 2.5'],
    [
      'services.indicator_calculation.recent_rows_limit',
      'services:\n  indicator_calculation:\n    recent_rows_limit: 0\n',
      'expected >=1, got 0',
    ],
    [
      'services.strategy_evaluation.evaluation_mode',
      'services:\n  strategy_evaluation:\n    evaluation_mode: hourly\n',
      'expected "on_new_candle", got "hourly"',
    ],
    [
      'services.trade_execution.execution_mode',
      'services:\n  trade_execution:\n    execution_mode: later\n',
      'expected ("immediate" | "batch"), got "later"',
    ],
    ['event_bus.mode', 'event_bus:\n  mode: parallel\n', 'expected ("synchronous" | "asynchronous"), got "parallel"'],
    ['event_bus.event_history_limit', 'event_bus:\n  event_history_limit: -5\n', 'expected >=0, got -5'],
    ['event_bus.max_queue_size', 'event_bus:\n  max_queue_size: 0\n', 'expected >=1, got 0'],
    ['orchestrator.health_check_interval', 'orchestrator:\n  health_check_interval: -60\n', 'expected >0, got -60'],
    ['orchestrator.status_log_interval', 'orchestrator:\n  status_log_interval: 0\n', 'expected >0, got 0'],
    ['logging.level', 'logging:\n  level: LOUD\n', 'got "loud"'],
    ['logging.format', 'logging:\n  format: xml\n', 'expected ("text" | "json"), got "xml"'],
    ['trading.timeframes.1', 'trading:\n  timeframes: ["1", "7"]\n', 'got "7"'],
    ['trading.symbol', 'trading:\n  symbol: ""\n', 'expected a symbol of 1 to 40'],
    ['risk.daily_loss_limit', 'risk:\n  daily_loss_limit: -1\n', 'expected >=0, got -1'],
    ['risk.max_positions', 'risk:\n  max_positions: 1.5\n', 'got 1.5'],
    ['risk.max_position_size', 'risk:\n  max_position_size: -0.1\n', 'expected >=0, got -0.1'],
  ])('rejects a bad %s', (path, yaml, message) => {
    const error = failure(() => load({ 'config/services.yaml': yaml }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toContain(message);
    expect(error.issues[0]?.source).toMatch(/^config\/services\.yaml:\d+:\d+$/);
  });

  it('accepts known timeframes in both spellings and every known level', () => {
    const { config } = load({
      'config/services.yaml': 'trading:\n  timeframes: [1m, "5", 15, 1h, "240", 1d]\nlogging:\n  level: WARNING\n',
    });
    expect(config.trading.timeframes).toEqual(['1m', '5m', '15m', '1h', '4h', '1d']);
    expect(config.logging.level).toBe('warn');
    for (const [given, expected] of [
      ['DEBUG', 'debug'],
      ['INFO', 'info'],
      ['ERROR', 'error'],
      ['CRITICAL', 'error'],
      ['trace', 'trace'],
    ]) {
      expect(load({}, { LOGGING_LEVEL: given as string }).config.logging.level).toBe(expected);
    }
  });
});

describe('risk windows', () => {
  it('parses news windows as ISO intervals and checks trading hours', () => {
    const { config } = load(
      {},
      {
        RISK_NEWS_BLOCKS: '2023-03-10T13:25:00Z/2023-03-10T14:00:00Z, 2023-03-12T00:00Z/2023-03-12T01:00Z',
        RISK_TRADING_HOURS: '08:00-22:00',
      },
    );
    expect(config.risk.news_blocks).toEqual([
      { start: Date.UTC(2023, 2, 10, 13, 25), end: Date.UTC(2023, 2, 10, 14, 0) },
      { start: Date.UTC(2023, 2, 12, 0, 0), end: Date.UTC(2023, 2, 12, 1, 0) },
    ]);
    expect(config.risk.trading_hours).toBe('08:00-22:00');
  });

  it('rejects a bot id that cannot prefix a client order id, naming the file position or the variable', () => {
    const fromFile = failure(() => load({ 'config/services.yaml': 'trading:\n  bot_id: "bot one"\n' }));
    expect(fromFile.issues).toEqual([
      expect.objectContaining({ path: 'trading.bot_id', source: 'config/services.yaml:2:11' }),
    ]);
    expect(fromFile.issues[0]?.message).toContain('1 to 12 letters or digits');
    const fromEnv = failure(() => load({}, { TRADING_BOT_ID: 'a-very-long-bot-id' }));
    expect(fromEnv.issues).toEqual([expect.objectContaining({ path: 'trading.bot_id', source: 'env TRADING_BOT_ID' })]);
  });

  it('rejects a backwards news window and malformed hours, with their positions', () => {
    const error = failure(() =>
      load({
        'config/services.yaml':
          'risk:\n  news_blocks: ["2023-03-10T14:00Z/2023-03-10T13:00Z"]\n  trading_hours: "8-22"\n',
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'risk.news_blocks.0',
        source: 'config/services.yaml:2:17',
        message:
          'expected an ISO 8601 interval "start/end" with end after start, got "2023-03-10T14:00Z/2023-03-10T13:00Z"',
      },
      {
        path: 'risk.trading_hours',
        source: 'config/services.yaml:3:18',
        message: 'expected HH:MM-HH:MM (UTC), e.g. 08:00-22:00',
      },
    ]);
  });
});

describe('environment overrides', () => {
  it('override file values, and name themselves as the source', () => {
    const { config, sources } = load(
      { 'config/services.yaml': EXAMPLE },
      {
        TRADING_SYMBOL: 'BTCUSDT',
        TRADING_TIMEFRAMES: '5,15,30',
        RISK_DAILY_LOSS_LIMIT: '2000.0',
        RISK_MAX_POSITIONS: '5',
        ORCHESTRATOR_ENABLE_AUTO_RESTART: 'false',
        SERVICES_DATA_FETCHING_ENABLED: 'no',
        SERVICES_DATA_FETCHING_FETCH_INTERVAL: '10',
        LOGGING_LEVEL: 'DEBUG',
        LOGGING_SERVICE_LEVELS: 'DataFetchingService=debug, TradeExecutionService=WARNING',
        EVENT_BUS_MODE: 'asynchronous',
      },
    );
    expect(config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'BTCUSDT',
      symbols: ['BTCUSDT'],
      timeframes: ['5m', '15m', '30m'],
    });
    expect(config.risk.daily_loss_limit).toBe(2000);
    expect(config.risk.max_positions).toBe(5);
    expect(config.orchestrator.enable_auto_restart).toBe(false);
    expect(config.services.data_fetching.enabled).toBe(false);
    expect(config.services.data_fetching.fetch_interval).toBe(10);
    expect(config.logging.level).toBe('debug');
    expect(config.logging.service_levels).toEqual({ DataFetchingService: 'debug', TradeExecutionService: 'warn' });
    expect(config.event_bus.mode).toBe('asynchronous');
    expect(sources.get('trading.symbol')).toEqual({ kind: 'env', name: 'TRADING_SYMBOL', origin: 'process' });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('coerces the boolean %s', (raw, expected) => {
    expect(load({}, { EVENT_BUS_LOG_ALL_EVENTS: raw }).config.event_bus.log_all_events).toBe(expected);
  });

  it('coerces numbers, lists and maps, and reports text that does not fit with the variable name', () => {
    expect(load({}, { RISK_MAX_POSITION_SIZE: ' 0.25 ' }).config.risk.max_position_size).toBe(0.25);
    expect(load({}, { TRADING_TIMEFRAMES: ' 1m , 4h ' }).config.trading.timeframes).toEqual(['1m', '4h']);
    const error = failure(() =>
      load({}, { RISK_MAX_POSITIONS: 'ten', EVENT_BUS_LOG_ALL_EVENTS: 'maybe', TRADING_TIMEFRAMES: '' }),
    );
    expect(error.issues).toEqual([
      {
        path: 'event_bus.log_all_events',
        source: 'env EVENT_BUS_LOG_ALL_EVENTS',
        message: 'expected boolean, got "maybe"',
      },
      { path: 'trading.timeframes', source: 'env TRADING_TIMEFRAMES', message: 'expected >=1, got 0' },
      { path: 'risk.max_positions', source: 'env RISK_MAX_POSITIONS', message: 'expected number, got "ten"' },
    ]);
  });

  it('honours the legacy SYMBOL and TIMEFRAMES, TRADING_* winning when both are set (bug fix #2)', () => {
    const legacy = load({ 'config/services.yaml': EXAMPLE }, { SYMBOL: 'XAUUSD', TIMEFRAMES: '1,5,15' });
    expect(legacy.config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'XAUUSD',
      symbols: ['XAUUSD'],
      timeframes: ['1m', '5m', '15m'],
    });
    expect(legacy.sources.get('trading.symbol')).toEqual({ kind: 'env', name: 'SYMBOL', origin: 'process' });
    const both = load(
      { 'config/services.yaml': EXAMPLE },
      { SYMBOL: 'XAUUSD', TRADING_SYMBOL: 'GBPUSD', TIMEFRAMES: '1', TRADING_TIMEFRAMES: '30' },
    );
    expect(both.config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'GBPUSD',
      symbols: ['GBPUSD'],
      timeframes: ['30m'],
    });
  });

  it('warns about variables that look like config keys but match none', () => {
    const { warnings } = load({}, { RISK_MAX_POSITONS: '3', HOME: '/root' });
    expect(warnings).toContain(
      'environment variable RISK_MAX_POSITONS matches no configuration key; did you mean RISK_MAX_POSITIONS?',
    );
    expect(warnings.some((warning) => warning.includes('HOME'))).toBe(false);
  });
});

describe('.env', () => {
  it('is read from the working directory and never overrides variables already set', () => {
    const { config, sources, dotEnv } = load(
      { '.env': 'SYMBOL=XAUUSD\nTRADING_TIMEFRAMES=5,15\nRISK_MAX_POSITIONS=4\n# a comment\n' },
      { RISK_MAX_POSITIONS: '7' },
    );
    expect(config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'XAUUSD',
      symbols: ['XAUUSD'],
      timeframes: ['5m', '15m'],
    });
    expect(config.risk.max_positions).toBe(7);
    expect(sources.get('trading.timeframes')).toEqual({
      kind: 'env',
      name: 'TRADING_TIMEFRAMES',
      origin: '.env',
      line: 2,
    });
    expect(dotEnv.SYMBOL).toBe('XAUUSD');
  });

  it('lets a process TRADING_SYMBOL win over a .env SYMBOL and the reverse', () => {
    expect(load({ '.env': 'SYMBOL=XAUUSD\n' }, { TRADING_SYMBOL: 'GBPUSD' }).config.trading.symbol).toBe('GBPUSD');
    expect(load({ '.env': 'TRADING_SYMBOL=GBPUSD\n' }, { SYMBOL: 'XAUUSD' }).config.trading.symbol).toBe('GBPUSD');
  });
});

describe('errors', () => {
  it('reports unknown keys with a suggestion instead of falling back to a default', () => {
    const error = failure(() =>
      load({
        'config/services.yaml': 'services:\n  data_fetching:\n    fetch_intervall: 10\nrsik:\n  max_positions: 3\n',
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'services.data_fetching.fetch_intervall',
        source: 'config/services.yaml:3:5',
        message: 'unknown key; did you mean "fetch_interval"?',
      },
      { path: 'rsik', source: 'config/services.yaml:4:1', message: 'unknown key; did you mean "risk"?' },
    ]);
  });

  it('lists the expected keys when no known key is close', () => {
    const error = failure(() => load({ 'config/services.yaml': 'risk:\n  leverage: 3\n' }));
    expect(error.issues[0]?.message).toBe(
      'unknown key; expected one of daily_loss_limit, max_positions, max_position_size, max_position_sizes, max_leverage, news_blocks, trading_hours',
    );
  });

  it('reports every problem at once with file:line:column', () => {
    const yaml = [
      'services:',
      '  data_fetching:',
      '    fetch_interval: -5',
      '    retry_attempts: many',
      'event_bus:',
      '  mode: fast',
      'trading:',
      '  timeframes: ["1", "2"]',
      'risk:',
      '  max_positons: 3',
      '',
    ].join('\n');
    const error = failure(() => load({ 'config/services.yaml': yaml }));
    expect(error.issues.map((issue) => [issue.path, issue.source])).toEqual([
      ['risk.max_positons', 'config/services.yaml:10:3'],
      ['services.data_fetching.fetch_interval', 'config/services.yaml:3:21'],
      ['services.data_fetching.retry_attempts', 'config/services.yaml:4:21'],
      ['event_bus.mode', 'config/services.yaml:6:9'],
      ['trading.timeframes.1', 'config/services.yaml:8:21'],
    ]);
    expect(formatConfigError(error)).toBe(
      [
        'Configuration error: 5 problems',
        '  - risk.max_positons (config/services.yaml:10:3): unknown key; did you mean "max_positions"?',
        '  - services.data_fetching.fetch_interval (config/services.yaml:3:21): expected >0, got -5',
        '  - services.data_fetching.retry_attempts (config/services.yaml:4:21): expected number, got "many"',
        '  - event_bus.mode (config/services.yaml:6:9): expected ("synchronous" | "asynchronous"), got "fast"',
        '  - trading.timeframes.1 (config/services.yaml:8:21): expected ("1m" | "3m" | "5m" | "15m" | "30m" | "1h" | "2h" | "4h" | "1d"), got "2"',
      ].join('\n'),
    );
  });

  it('names file, line and column of invalid YAML', () => {
    const error = failure(() => load({ 'config/services.yaml': 'services:\n  data_fetching:\n    enabled: [true\n' }));
    expect(error.code).toBe('CONFIG_YAML_SYNTAX');
    expect(error.issues[0]?.source).toMatch(/^config\/services\.yaml:\d+:\d+$/);
    expect(error.issues[0]?.message).toMatch(/^invalid YAML: /);
    const duplicate = failure(() =>
      load({ 'config/services.yaml': 'risk:\n  max_positions: 1\n  max_positions: 2\n' }),
    );
    expect(duplicate.issues[0]).toMatchObject({ source: 'config/services.yaml:3:3' });
    expect(duplicate.issues[0]?.message).toMatch(/unique/i);
  });

  it('refuses a top level that is not a mapping, and a missing explicit file', () => {
    expect(failure(() => load({ 'config/services.yaml': '- a\n- b\n' })).issues[0]?.message).toMatch(/mapping/);
    const missing = failure(() => load({}, {}, 'conf/typo.yaml'));
    expect(missing.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(missing.issues[0]?.source).toBe('conf/typo.yaml');
  });

  it('never prints secret values in errors or in the config dump', () => {
    const error = failure(() =>
      load(
        { 'config/services.yaml': 'logging:\n  service_levels:\n    api_token: s3cr3t-value\n' },
        { TRADING_API_KEY: 'k-123' },
      ),
    );
    expect(error.message).not.toContain('s3cr3t-value');
    expect(error.issues[0]).toMatchObject({
      path: 'logging.service_levels.api_token',
      message: expect.stringContaining('[REDACTED]'),
    });
    const loaded = load({}, { LOGGING_SERVICE_LEVELS: 'DataFetchingService=debug' });
    expect(describeConfig(loaded)).toContain(
      'logging.service_levels = {"DataFetchingService":"debug"} (env LOGGING_SERVICE_LEVELS)',
    );
  });

  it('is recognised as a @quant error by its marker', () => {
    const error = failure(() => load({ 'config/services.yaml': 'risk:\n  max_positions: -1\n' }));
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('@quant/error')]).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('describeConfig', () => {
  it('gives every value with where it came from', () => {
    const lines = describeConfig(load({ 'config/services.yaml': EXAMPLE }, { TRADING_SYMBOL: 'BTCUSDT' }));
    expect(lines).toContain('trading.symbol = "BTCUSDT" (env TRADING_SYMBOL)');
    expect(lines).toContain('services.data_fetching.fetch_interval = 30 (config/services.yaml:7:21)');
    expect(lines).toContain('event_bus.max_queue_size = 10000 (default)');
  });
});
