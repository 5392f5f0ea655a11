/**
 * Composition root: reads the configuration, builds the engine, starts the HTTP service and
 * stops gracefully on SIGINT/SIGTERM. The only place that picks concrete implementations.
 */
import { loadConfig } from "./config.js";
import { AppError } from "./core/errors.js";
import { createEngine } from "./engine.js";
import { createLogger } from "./logger.js";
import { createHttpServer } from "./server/http.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const engine = await createEngine(config, {
    onProgress: ({ phase, done, total }) => {
      if (done === total) logger.info({ phase, total }, "knowledge index step done");
    },
  });
  logger.info(
    { documents: engine.knowledge.docs.length, chunks: engine.knowledge.chunks.length, rebuilt: engine.index.rebuilt, embedder: engine.index.manifest.embedder, commune: config.COMMUNE },
    "knowledge loaded",
  );

  const app = await createHttpServer({ engine, logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  logger.info({ port, host: config.HOST, ms: Math.round(performance.now() - started) }, `Trợ lý số xã đang chạy: http://localhost:${port}`);

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
    app.close().then(
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
