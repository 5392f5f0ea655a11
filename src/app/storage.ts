/**
 * Builders of the storage side (composition root, see src/app/service.ts): the SQLite store and
 * the retention purge that runs on it. The service and `npm run staff` open the store here.
 */
import path from "node:path";
import type { PrivacyConfig, StorageConfig } from "../config.js";
import type { Store } from "../core/store.js";
import type { Logger } from "../logger.js";
import { openSqliteStore } from "../storage/sqlite-store.js";

/** How often the retention purge runs while the service is up (it also runs at start). */
export const RETENTION_PURGE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Opens the SQLite store in DATA_DIR (created if missing). An initialised database that is now
 * missing or empty stops here (DATABASE_LOST), before anything slow is built.
 */
export function buildStorage(config: StorageConfig): Store {
  return openSqliteStore({ dataDir: path.resolve(config.DATA_DIR), ...(config.USER_KEY_SECRET ? { secret: config.USER_KEY_SECRET } : {}) });
}

/** Runs `task` every `intervalMs`; returns a function that stops it. */
export type Scheduler = (task: () => void, intervalMs: number) => () => void;

/** An unref'd setInterval: it never keeps the process alive. */
export const scheduleEvery: Scheduler = (task, intervalMs) => {
  const timer = setInterval(task, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Deletes what is older than RETENTION_DAYS now and then every RETENTION_PURGE_INTERVAL_MS;
 * returns a function that stops the schedule. A failed purge is logged and tried again next time.
 */
export function startRetentionPurge(store: Store, config: PrivacyConfig, deps: { logger: Logger; clock?: () => number; schedule?: Scheduler }): () => void {
  const purge = () => {
    try {
      const counts = store.purge(config.RETENTION_DAYS, deps.clock ? new Date(deps.clock()) : undefined);
      deps.logger.info({ counts, retentionDays: config.RETENTION_DAYS }, "retention purge done");
    } catch (err) {
      deps.logger.error({ err }, "retention purge failed");
    }
  };
  purge();
  return (deps.schedule ?? scheduleEvery)(purge, RETENTION_PURGE_INTERVAL_MS);
}
