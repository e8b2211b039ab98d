import { dirname, resolve } from 'node:path';
import type { SystemConfig } from '@quant/config';
import { type ApiBot, type ApiServer, startApiServer } from '@quant/http';
import type { ApiListen } from './api-flag.js';
import type { Bot } from './setup.js';
import type { StoreSession } from './store-session.js';

/**
 * Serves the operations API of a `live` run: the run's event store, its bot (orchestrator, account, the venue's
 * calls, the session's jobs) and the disk of the store (a SQLite file's folder, else the working directory) with
 * `api.disk_min_free_mb`. Run heartbeats are judged on real time (the store's), with `recovery.stale_after`.
 * @throws {@link @quant/http!HttpError} `API_LISTEN_FAILED` (the port is in use, the address is not this machine's).
 */
export function startBotApi(
  listen: ApiListen,
  session: StoreSession,
  bot: Bot,
  config: SystemConfig,
  cwd: string,
): Promise<ApiServer> {
  const { system, brokerMonitor } = bot;
  const view: ApiBot = {
    orchestrator: system.orchestrator,
    account: () => ({ ...system.positions.account(), openPositions: system.positions.positions().length }),
    ...(brokerMonitor === undefined ? {} : { broker: () => brokerMonitor.status() }),
    jobs: session.jobs,
    runId: session.runId,
  };
  const storeFolder = session.store.dialect === 'sqlite' ? dirname(resolve(cwd, session.store.location)) : cwd;
  return startApiServer({
    store: session.store,
    token: listen.token,
    host: listen.host,
    port: listen.port,
    bot: view,
    disk: { path: storeFolder, minFreeBytes: config.api.disk_min_free_mb * 1024 * 1024 },
    staleAfterMs: config.recovery.stale_after * 1000,
    maxQueryBytes: config.api.max_query_bytes,
    onError: (error) => {
      bot.logs.getLogger('api').error(`API request failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
}
