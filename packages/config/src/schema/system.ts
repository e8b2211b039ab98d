import * as v from 'valibot';
import { apiSchema } from './api.js';
import type { DeepReadonly } from './deep-readonly.js';
import { eventBusSchema } from './event-bus.js';
import { exchangeSchema } from './exchange.js';
import { loggingSchema } from './logging.js';
import { notificationsSchema } from './notifications.js';
import { orchestratorSchema } from './orchestrator.js';
import { paperBrokerSchema } from './paper-broker.js';
import { recoverySchema } from './recovery.js';
import { riskSchema } from './risk.js';
import { servicesSchema } from './services.js';
import { storeSchema } from './store.js';
import { tradingSchema } from './trading.js';

/**
 * The sections of a configuration file, one schema module each. A later
 * section (data source, broker, …) is added here.
 */
export const SECTIONS = {
  services: servicesSchema,
  event_bus: eventBusSchema,
  orchestrator: orchestratorSchema,
  logging: loggingSchema,
  trading: tradingSchema,
  risk: riskSchema,
  paper_broker: paperBrokerSchema,
  store: storeSchema,
  exchange: exchangeSchema,
  recovery: recoverySchema,
  api: apiSchema,
  notifications: notificationsSchema,
} as const;

/** The schema of a whole configuration. */
export const systemConfigSchema = v.object(SECTIONS);

/** A validated configuration, with every default filled in; frozen. */
export type SystemConfig = DeepReadonly<v.InferOutput<typeof systemConfigSchema>>;
