/**
 * Test kit of `@quant/services` (`@quant/services/testing`): the conformance
 * suite every `Broker` implementation runs, a fault-injecting
 * wrapper for testing code that uses a broker, and a bot built from
 * configuration files that trades a CSV file on a simulated exchange.
 * Needs `vitest`.
 * @packageDocumentation
 */
export {
  type ConformanceHarness,
  type ConformanceOptions,
  describeBrokerConformance,
} from './broker-conformance.js';
export { type BrokerFault, type BrokerFaults, type FaultableMethod, faultyBroker } from './faulty-broker.js';
export { type FileBotOptions, fileBot } from './file-bot.js';
