/**
 * Entry point: reads the configuration (src/config.ts, in sections), marks DATA_DIR as in use,
 * starts the service and stops it gracefully on SIGINT/SIGTERM. The service is composed in one
 * place, src/app/ (see src/app/service.ts): config → storage → engine → dialogue → channels →
 * server, each builder receiving only its config section; the CLIs reuse the same builders.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "./config.js";
import { AppError } from "./core/errors.js";
import { createLogger } from "./logger.js";
import { SHUTDOWN_DRAIN_MS, startService } from "./app/service.js";
import { removePidFile, serviceStatus, writePidFile } from "./storage/pid-file.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logging.LOG_LEVEL);
  const started = performance.now();
  // DATA_DIR/tro-ly-so.pid tells `npm run restore` that the service is using the data; removed on
  // any exit that runs JavaScript (after SIGKILL it stays behind and is recognised as stale).
  const dataDir = path.resolve(config.storage.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const other = serviceStatus(dataDir);
  if (other.state === "running") logger.warn({ pid: other.info?.pid, file: other.file }, "another service process seems to use the same DATA_DIR");
  writePidFile(dataDir);
  process.on("exit", () => removePidFile(dataDir));
  const service = await startService(config, logger);
  logger.info(
    { port: service.port, host: config.server.HOST, telegram: service.telegram?.mode ?? "off", ms: Math.round(performance.now() - started) },
    `Trợ lý số xã đang chạy: http://localhost:${service.port}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal, exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    // stop() bounds its own drain (SHUTDOWN_DRAIN_MS); this is the last resort if closing hangs.
    const force = setTimeout(() => {
      logger.error({ signal }, "shutdown did not finish in time, exiting");
      process.exit(1);
    }, SHUTDOWN_DRAIN_MS + 2_000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  const message = err instanceof AppError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`Không khởi động được Trợ lý số xã: ${message}\n`);
  process.exit(1);
});
