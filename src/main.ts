/**
 * Entry point: reads the configuration, starts the service (see service.ts) and stops
 * gracefully on SIGINT/SIGTERM.
 */
import { loadConfig } from "./config.js";
import { AppError } from "./core/errors.js";
import { createLogger } from "./logger.js";
import { startService } from "./service.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const service = await startService(config, logger);
  logger.info(
    { port: service.port, host: config.HOST, telegram: service.telegram?.mode ?? "off", ms: Math.round(performance.now() - started) },
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
    const force = setTimeout(() => process.exit(1), 10_000);
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
