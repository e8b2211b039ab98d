/**
 * Test kit of `@quant/services` (`@quant/services/testing`): the conformance
 * suite every `Broker` implementation runs, and a fault-injecting
 * wrapper for testing code that uses a broker. Needs `vitest`.
 * @packageDocumentation
 */
export {
  type ConformanceHarness,
  type ConformanceOptions,
  describeBrokerConformance,
} from './broker-conformance.js';
export { type BrokerFault, type BrokerFaults, type FaultableMethod, faultyBroker } from './faulty-broker.js';
