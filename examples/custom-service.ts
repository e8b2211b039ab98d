/**
 * Example: a service of your own. It subclasses EventDrivenService, listens
 * to NewCandle, publishes a custom event (VolumeSpike) declared on top of the
 * trading events, and is registered with the orchestrator beside the four
 * trading services. It runs on one day of the real BTCUSDT data.
 *
 *   npx tsx examples/custom-service.ts
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@quant/config';
import {
  EventDrivenService,
  LogManager,
  type ServiceDeps,
  SimulatedClock,
  type TradingEventPayloads,
} from '@quant/core';
import {
  CsvBarSource,
  createTradingSystem,
  indicatorsFromFile,
  loadIndicators,
  loadStrategies,
  runSimulation,
  SimulatedExchange,
} from '@quant/services';

/** The trading events plus ours. */
interface MyEvents extends TradingEventPayloads {
  /** A 1-minute bar traded far more than the recent average. */
  VolumeSpike: {
    readonly symbol: string;
    readonly barOpenTime: number;
    readonly volume: number;
    readonly average: number;
  };
}

/** Publishes VolumeSpike when a bar's volume exceeds `factor` times the average of the previous `window` bars. */
class VolumeSpikeDetector extends EventDrivenService<MyEvents> {
  #volumes: number[] = [];

  constructor(
    deps: ServiceDeps<MyEvents>,
    private readonly window = 60,
    private readonly factor = 8,
  ) {
    super('VolumeSpikeDetector', deps);
    this.defineMetrics('spikes_detected');
  }

  protected override onStart(): void {
    this.#volumes = [];
    this.subscribe('NewCandle', ({ symbol, timeframe, bar }) => {
      if (timeframe !== '1m') return;
      if (this.#volumes.length === this.window) {
        const average = this.#volumes.reduce((a, b) => a + b, 0) / this.window;
        if (average > 0 && bar.volume > this.factor * average) {
          this.increment('spikes_detected');
          this.publish('VolumeSpike', { symbol, barOpenTime: bar.openTime, volume: bar.volume, average });
        }
        this.#volumes.shift();
      }
      this.#volumes.push(bar.volume);
    });
  }
}

const root = new URL('..', import.meta.url);
const path = (relative: string): string => fileURLToPath(new URL(relative, root));
const { config } = loadConfig({ cwd: path('.'), env: { TRADING_SYMBOL: 'BTCUSDT' } });
const clock = new SimulatedClock(Date.UTC(2023, 2, 10));
const logs = new LogManager({ clock, level: 'warn' });
const source = await CsvBarSource.load({
  path: path('../shared/data/binance-us-2023-03/BTCUSDT_1m.csv'),
  symbol: 'BTCUSDT',
  clock,
});
const indicators = indicatorsFromFile(loadIndicators(path('conf/indicators.yaml')));
const strategies = loadStrategies(path('conf/strategies.yaml'), {
  outputsFor: (tf) => indicators.processor.outputNames(tf),
});
const exchange = new SimulatedExchange({ clock });

// The system's bus carries MyEvents: the trading events and VolumeSpike.
const system = createTradingSystem<MyEvents>(config, {
  clock,
  source: exchange.feedFrom(source),
  broker: exchange,
  strategies,
  ...indicators,
  logs,
});
const detector = new VolumeSpikeDetector({ bus: system.bus, clock, logger: logs.getLogger('VolumeSpikeDetector') });
system.orchestrator.register('volume_spikes', detector, { dependsOn: ['data_fetching'] });

system.bus.subscribe('VolumeSpike', (event) => {
  console.log(
    `VolumeSpike ${event.symbol} ${new Date(event.barOpenTime).toISOString()}: ${event.volume.toFixed(3)} BTC vs average ${event.average.toFixed(3)}`,
  );
});
await system.orchestrator.start();
await runSimulation(system.orchestrator, clock, {
  start: Date.UTC(2023, 2, 10, 0, 1),
  end: Date.UTC(2023, 2, 11),
  stepMs: 60_000,
});
await system.orchestrator.stop();
console.log(`spikes detected: ${system.orchestrator.getAllMetrics().services.volume_spikes?.spikes_detected}`);
