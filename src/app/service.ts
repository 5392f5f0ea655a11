/**
 * The composition root of the running service. `src/main.ts` reads the configuration and calls
 * `startService`, which builds the parts in this order, each from its own config section:
 *
 *   storage    buildStorage(config.storage), retention purge (config.privacy)   app/storage.ts
 *   knowledge  buildLiveKnowledge(engineSettings(config)): engine + flows +       app/knowledge.ts
 *              communes behind ONE live accessor, swapped together by reindex      (app/engine.ts)
 *   dialogue   buildAssistant, buildDialogue (core/dialogue: the one resident      app/dialogue.ts
 *              conversation), buildBroadcaster(config.broadcast)
 *   channels   buildTelegram(config.telegram), buildZalo(config.zalo)              app/channels.ts
 *   server     buildServer(config.server) with the channels' and console's routes  app/server.ts
 *
 * The CLIs (src/cli/) reuse the same builders. Only this folder wires adapters together: no
 * other module imports both a channel and a storage module (tests/system/no-import-cycles.test.ts).
 */
import type { FastifyInstance } from "fastify";
import type { UserFromGetMe } from "grammy/types";
import type { ZaloChannel, ZaloJobOptions } from "../channels/zalo/channel.js";
import type { Config } from "../config.js";
import type { Assistant } from "../core/assistant.js";
import type { Broadcaster } from "../core/broadcast/index.js";
import type { ProgressReporter } from "../core/ports.js";
import type { Store } from "../core/store.js";
import type { Logger } from "../logger.js";
import { dialogueRoutes } from "../channels/web/dialogue-routes.js";
import { createWebMailbox } from "../channels/web/mailbox.js";
import { webChannelRoutes } from "../channels/web/routes.js";
import { buildTelegram, buildZalo, connectTelegram, mountTelegramWebhook, type TelegramConnection, type TelegramService } from "./channels.js";
import { buildAssistant, buildBroadcaster, buildDialogue, deliveryChannels } from "./dialogue.js";
import { engineSettings, type Engine } from "./engine.js";
import { buildLiveKnowledge, type KnowledgeSnapshot, type LiveKnowledge, type ReindexResult, type StaffFaqRequest } from "./knowledge.js";
import { buildServer, consoleMount, listen, serviceHealth, type Mount } from "./server.js";
import { buildStorage, startRetentionPurge, type Scheduler } from "./storage.js";

export { RETENTION_PURGE_INTERVAL_MS } from "./storage.js";
export { INDEX_REPAIR_RETRY_MS, type ReindexResult } from "./knowledge.js";

/** How long stop() waits for acknowledged webhook jobs and requests in flight (ms). */
export const SHUTDOWN_DRAIN_MS = 8_000;

export interface Service {
  readonly app: FastifyInstance;
  /** The engine in use: every call goes to the current knowledge (see reindex). */
  readonly engine: Engine;
  /** The knowledge in use (engine, communes, flows of one build); what the channels read. */
  readonly knowledge: () => KnowledgeSnapshot;
  /** Re-reads the knowledge folder and rebuilds the index without a restart (single-flight). */
  reindex(onProgress?: ProgressReporter): Promise<ReindexResult>;
  /** Appends a staff answer to the officials' FAQ file and re-indexes; the file is restored if that fails. */
  saveStaffFaq(input: StaffFaqRequest): Promise<{ file: string }>;
  readonly store: Store;
  readonly assistant: Assistant;
  /** Drafts commune-radio scripts (Telegram /bantin, console); reads the live engine's knowledge. */
  readonly broadcaster: Broadcaster;
  readonly telegram: TelegramService | null;
  /** The Zalo OA channel, when ZALO_APP_ID and ZALO_OA_SECRET_KEY are set. */
  readonly zalo: ZaloChannel | null;
  /** The port actually listened on. */
  readonly port: number;
  /** Settles when Telegram is connected (webhook registered or polling started), or at stop. */
  readonly telegramReady: Promise<void>;
  /**
   * Stops accepting work, waits at most `drainMs` (default SHUTDOWN_DRAIN_MS) for acknowledged
   * webhook jobs and requests in flight, then closes the database. Idempotent.
   */
  stop(options?: { readonly drainMs?: number }): Promise<void>;
}

export interface ServiceOptions {
  /** Telegram bot identity, to skip getMe (tests). */
  readonly telegramBotInfo?: UserFromGetMe;
  /** Outgoing Telegram calls retried on failure (default true). */
  readonly telegramAutoRetry?: boolean;
  /** First Zalo transport-retry delay in ms (tests shorten it). */
  readonly zaloRetryBaseMs?: number;
  /** Retry timing of Zalo jobs whose sends failed (tests shorten it). */
  readonly zaloJobs?: ZaloJobOptions;
  /** Clock for the Zalo channel (replay window, free reply window) and the retention purge; tests move it. */
  readonly clock?: () => number;
  /**
   * Runs `task` every `intervalMs` (the retention purge, RETENTION_PURGE_INTERVAL_MS) and returns
   * a function that stops it. Default: an unref'd setInterval. Tests inject one to fire it on demand.
   */
  readonly schedule?: Scheduler;
}

/** Storage first (a lost database stops the start before the index is built), then the knowledge on it. */
async function buildData(config: Config, logger: Logger, options: ServiceOptions): Promise<{ store: Store; stopPurge: () => void; knowledge: LiveKnowledge }> {
  const store = buildStorage(config.storage);
  const stopPurge = startRetentionPurge(store, config.privacy, { logger, ...(options.clock ? { clock: options.clock } : {}), ...(options.schedule ? { schedule: options.schedule } : {}) });
  try {
    return { store, stopPurge, knowledge: await buildLiveKnowledge(engineSettings(config), logger) };
  } catch (err) {
    stopPurge();
    store.close();
    throw err;
  }
}

export async function startService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const { store, stopPurge, knowledge } = await buildData(config, logger, options);
  // Staff answers are delivered by the workers of the channels that run (core/dialogue/delivery.ts).
  const assistant = buildAssistant(knowledge, store, deliveryChannels(config));
  const dialogue = buildDialogue(config, { assistant, store, knowledge: knowledge.current, ...(options.clock ? { clock: options.clock } : {}) });
  const broadcaster = buildBroadcaster(config.broadcast, knowledge.engine);

  // Channels read the knowledge through this getter at each use, so a re-index reaches /xa at once.
  const channelDeps = { dialogue, assistant, store, logger };
  const telegram = buildTelegram(config.telegram, {
    ...channelDeps,
    broadcaster,
    ...(options.telegramBotInfo ? { botInfo: options.telegramBotInfo } : {}),
    ...(options.telegramAutoRetry === false ? { autoRetry: false } : {}),
  });
  const zalo = buildZalo(config.zalo, {
    ...channelDeps,
    ...(options.zaloRetryBaseMs !== undefined ? { retryBaseMs: options.zaloRetryBaseMs } : {}),
    ...(options.zaloJobs ? { jobs: options.zaloJobs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });

  let connection: TelegramConnection | null = null;
  const mounts: Mount[] = [];
  if (telegram) mounts.push((app) => mountTelegramWebhook(app, config.telegram, telegram));
  if (zalo) {
    mounts.push(async (app) => {
      await zalo.register(app);
      logger.info({ route: "/webhooks/zalo" }, "zalo webhook ready");
    });
  }
  // Staff answers for web sessions wait here until the page asks (one mailbox for both web route modules).
  const mailbox = createWebMailbox(store, logger.child({ component: "web" }));
  mailbox.start();
  // The residents' web page: follow-up, feedback, consent and hand-off (channels/web/routes.ts).
  mounts.push(async (app) => {
    await app.register(webChannelRoutes, {
      assistant,
      mailbox,
      store,
      engine: knowledge.engine,
      config: {
        COMMUNE: config.knowledge.COMMUNE,
        RETENTION_DAYS: config.privacy.RETENTION_DAYS,
        CONTROLLER_NAME: config.privacy.CONTROLLER_NAME,
        API_RATE_LIMIT_PER_MINUTE: config.server.API_RATE_LIMIT_PER_MINUTE,
      },
    });
  });
  // The dialogue as JSON for the web (menu, choices, guided flows; core/dialogue).
  mounts.push(async (app) => {
    await app.register(dialogueRoutes, { dialogue, mailbox, assistant, logger: logger.child({ component: "web" }), rateLimitPerMinute: config.server.API_RATE_LIMIT_PER_MINUTE });
  });
  mounts.push(consoleMount({ console: config.console, knowledge: config.knowledge }, { knowledge, store, assistant, broadcaster, logger }));
  const health = serviceHealth({
    store,
    index: () => knowledge.indexHealth(),
    telegram: () => ({ mode: telegram?.mode ?? "off", connected: connection?.connected() ?? false }),
    zalo,
  });
  const app = await buildServer(config.server, { engine: knowledge.engine, store, logger, health, mounts });
  const port = await listen(app, config.server);
  if (telegram) connection = connectTelegram(config.telegram, telegram, logger);

  let stopped = false;
  return {
    app,
    engine: knowledge.engine,
    knowledge: knowledge.current,
    store,
    assistant,
    broadcaster,
    telegram,
    zalo,
    port,
    reindex: (onProgress) => knowledge.reindex(onProgress),
    saveStaffFaq: (input) => knowledge.saveStaffFaq(input),
    telegramReady: connection?.ready ?? Promise.resolve(),
    async stop(stopOptions = {}) {
      if (stopped) return;
      stopped = true;
      const drainMs = stopOptions.drainMs ?? SHUTDOWN_DRAIN_MS;
      stopPurge();
      connection?.stop();
      // Stop accepting first, all at once: new Zalo events get 503 (Zalo resends them later), the
      // HTTP server takes no new connection and answers 503 on kept-alive ones, polling stops.
      // Then wait, at most drainMs, for what was accepted: Zalo jobs already acknowledged,
      // requests in flight, and Telegram messages still being joined (answered at once).
      const force = setTimeout(() => app.server.closeAllConnections(), drainMs);
      force.unref();
      const [drained] = await Promise.all([
        zalo ? zalo.close(drainMs) : Promise.resolve(true),
        telegram ? telegram.delivery.close(drainMs) : Promise.resolve(true),
        app.close(),
        telegram?.mode === "polling" && telegram.bot.isRunning() ? telegram.bot.stop() : undefined,
        // A re-index or staff-FAQ write under way finishes (bounded by drainMs) before the files close.
        knowledge.settle(drainMs),
      ]);
      if (telegram) await Promise.race([telegram.flush(), new Promise((resolve) => setTimeout(resolve, drainMs).unref())]);
      clearTimeout(force);
      // Closing the last connection checkpoints the WAL into the database file.
      store.close();
      logger.info({ drained }, "service stopped");
    },
  };
}
