import type * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { count, flag, seconds, section } from './fields.js';

/** `orchestrator`: service supervision and the main loop. */
export const orchestratorSchema = section(
  {
    enable_auto_restart: flag(true, 'Restart unhealthy or failed services.'),
    health_check_interval: seconds(60, 'Seconds between health check rounds.'),
    simulated_health_check_interval: seconds(
      3600,
      'Seconds of simulated time between health check rounds in a backtest while nothing is wrong; from the first sign of trouble (a failed fetch, a restart) rounds come every health_check_interval (decision 0010). Live and replay use health_check_interval.',
    ),
    status_log_interval: seconds(10, 'Seconds between status log lines.'),
    max_restarts: count(5, 0, 'Restarts allowed per service within restart_window before it stays failed.'),
    restart_window: seconds(600, 'Seconds of the sliding window that max_restarts counts in.'),
    start_timeout: seconds(
      60,
      'Seconds to wait for one service to start (it may load history); past it, the service fails.',
    ),
    stop_timeout: seconds(10, 'Seconds to wait for one service to stop.'),
  },
  'Orchestrator.',
);

/** The validated `orchestrator` section. */
export type OrchestratorConfig = DeepReadonly<v.InferOutput<typeof orchestratorSchema>>;
