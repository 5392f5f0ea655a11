/**
 * Composition of the running service: engine, store, assistant, HTTP server and the messaging
 * channels configured in `.env`. `main.ts` calls it; tests start it on a loopback port.
 */
import type { FastifyInstance } from "fastify";
import { webhookCallback } from "grammy";
import path from "node:path";
import type { UserFromGetMe } from "grammy/types";
import { createTelegramBot, TelegramUpdateEnvelopeSchema, type TelegramBot } from "./channels/telegram/bot.js";
import { createZaloChannel, type ZaloChannel, type ZaloJobOptions } from "./channels/zalo/channel.js";
import type { Config } from "./config.js";
import { AppError } from "./core/errors.js";
import { createAssistant, type Assistant } from "./core/assistant.js";
import { createDialogue, DIALOGUE_TEXTS, MENU } from "./core/dialogue/index.js";
import { dialogueRoutes } from "./channels/web/dialogue-routes.js";
import { createFlows } from "./core/flows/index.js";
import { createKnowledgeLookup } from "./core/flows/knowledge-lookup.js";
import type { Store } from "./core/store.js";
import { createEngine, createLiveEngine, type EngineIndex, type LiveEngine } from "./engine.js";
import type { ProgressReporter } from "./core/ports.js";
import { appendStaffFaq, replaceFile } from "./storage/staff-faq.js";
import type { Logger } from "./logger.js";
import { registerConsole } from "./channels/web/console/index.js";
import { broadcastToDocx, broadcastToText, createBroadcaster, type Broadcaster } from "./core/broadcast/index.js";
import { TOPIC_PROFILES } from "./core/broadcast/topics.js";
import { createHttpServer, type ServiceHealth } from "./server/http.js";
import { checkDatabaseFile, openSqliteStore } from "./storage/sqlite-store.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const TELEGRAM_RETRY_MS = 60_000;
/** How long stop() waits for acknowledged webhook jobs and requests in flight (ms). */
export const SHUTDOWN_DRAIN_MS = 8_000;
/**
 * When /healthz finds the saved index damaged (or a rebuilt one unsaved), the service rebuilds it
 * in the background (a re-index), at most once per this many ms while the problem lasts.
 */
export const INDEX_REPAIR_RETRY_MS = 60_000;

/** What a re-index did. */
export interface ReindexResult {
  readonly documents: number;
  readonly chunks: number;
  readonly rebuilt: boolean;
  readonly ms: number;
}

export interface Service {
  readonly app: FastifyInstance;
  /** The engine in use; `engine.knowledge` is always the current knowledge (see reindex). */
  readonly engine: LiveEngine;
  /** Re-reads the knowledge folder and rebuilds the index without a restart (single-flight). */
  reindex(onProgress?: ProgressReporter): Promise<ReindexResult>;
  /** Appends a staff answer to the officials' FAQ file and re-indexes; the file is restored if that fails. */
  saveStaffFaq(input: { question: string; answer: string; staff: string; office: string }): Promise<{ file: string }>;
  readonly store: Store;
  readonly assistant: Assistant;
  /** Drafts commune-radio scripts (Telegram /bantin, console); reads the live engine's knowledge. */
  readonly broadcaster: Broadcaster;
  readonly telegram: (TelegramBot & { readonly mode: "polling" | "webhook" }) | null;
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
  readonly schedule?: (task: () => void, intervalMs: number) => () => void;
}

/** How often the retention purge runs while the service is up (it also runs at start). */
export const RETENTION_PURGE_INTERVAL_MS = DAY_MS;

/** Logs what opening the index found: damaged files that were rebuilt, a rebuild that is not saved. */
function logIndexState(logger: Logger, index: EngineIndex): void {
  if (index.damage) logger.warn({ damage: index.damage }, "the saved vector index was damaged; rebuilt it from the knowledge folder");
  if (index.unsaved) {
    logger.error({ reason: index.unsaved }, "the rebuilt vector index could not be saved; answering from memory, /healthz answers 503 until it is saved");
  }
}

function scheduleEvery(task: () => void, intervalMs: number): () => void {
  const timer = setInterval(task, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  // Before the index is built: an initialised database that is now missing or empty stops the start.
  checkDatabaseFile(path.resolve(config.DATA_DIR));
  const engine = createLiveEngine(
    await createEngine(config, {
      onProgress: ({ phase, done, total }) => {
        if (done === total) logger.info({ phase, total }, "knowledge index step done");
      },
    }),
  );
  logger.info(
    { documents: engine.knowledge.docs.length, chunks: engine.knowledge.chunks.length, rebuilt: engine.index.rebuilt, embedder: engine.index.manifest.embedder, llm: engine.llm?.model.id ?? "none", commune: config.COMMUNE },
    "knowledge loaded",
  );
  logIndexState(logger, engine.index);

  const store = openSqliteStore({ dataDir: path.resolve(config.DATA_DIR), ...(config.USER_KEY_SECRET ? { secret: config.USER_KEY_SECRET } : {}) });
  const purge = () => {
    try {
      const counts = store.purge(config.RETENTION_DAYS, options.clock ? new Date(options.clock()) : undefined);
      logger.info({ counts, retentionDays: config.RETENTION_DAYS }, "retention purge done");
    } catch (err) {
      logger.error({ err }, "retention purge failed");
    }
  };
  purge();
  const stopPurge = (options.schedule ?? scheduleEvery)(purge, RETENTION_PURGE_INTERVAL_MS);

  let flows = createFlows(createKnowledgeLookup(engine.knowledge.chunks));
  // With a language model, follow-ups are rewritten by it (the live engine's, so a re-index keeps it).
  const rewrite = config.LLM_PROVIDER === "none" ? undefined : (history: readonly string[], question: string) => engine.llm?.rewrite(history, question) ?? Promise.resolve(null);
  // Staff answers are delivered by the workers of the channels that run (core/dialogue/delivery.ts).
  const zaloOn = Boolean(config.ZALO_APP_ID && config.ZALO_OA_SECRET_KEY);
  const delivery = { web: { waitMs: 0 }, ...(config.TELEGRAM_BOT_TOKEN ? { telegram: {} } : {}), ...(zaloOn ? { zalo: {} } : {}) };
  const assistant = createAssistant({ engine, store, flows: () => flows, delivery, ...(rewrite ? { rewrite } : {}) });
  const dialogue = createDialogue({
    assistant,
    store,
    knowledge: () => ({ communes: engine.knowledge.communes, flows }),
    retentionDays: config.RETENTION_DAYS,
    controller: config.CONTROLLER_NAME,
    replyWindowHours: { zalo: config.ZALO_FREE_WINDOW_HOURS },
    texts: DIALOGUE_TEXTS,
    menu: MENU,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  // Re-indexing while the service runs (console): the new engine and flows are built aside and
  // installed together only when both succeed; until then, and on failure, the old ones serve.
  let reindexing: Promise<ReindexResult> | null = null;
  const reindex = (onProgress?: ProgressReporter): Promise<ReindexResult> => {
    if (reindexing) return reindexing;
    reindexing = (async () => {
      const started = performance.now();
      const next = await createEngine(config, onProgress ? { onProgress } : {});
      const nextFlows = createFlows(createKnowledgeLookup(next.knowledge.chunks));
      engine.swap(next);
      flows = nextFlows;
      const result = { documents: next.knowledge.docs.length, chunks: next.knowledge.chunks.length, rebuilt: next.index.rebuilt, ms: Math.round(performance.now() - started) };
      logger.info(result, "knowledge re-indexed");
      logIndexState(logger, next.index);
      return result;
    })().finally(() => {
      reindexing = null;
    });
    return reindexing;
  };
  let faqWrites: Promise<unknown> = Promise.resolve();
  const saveStaffFaq = (input: { question: string; answer: string; staff: string; office: string }): Promise<{ file: string }> => {
    // One write at a time: each appends to the file the previous one left.
    const run = faqWrites.then(async () => {
      const { file, previous } = await appendStaffFaq(path.resolve(config.KNOWLEDGE_DIR), { ...input, date: new Date() });
      try {
        await reindex();
      } catch (err) {
        // The new entry broke the file (or the index): put the file back as it was.
        await replaceFile(file, previous);
        throw err;
      }
      logger.info({ staff: input.staff }, "staff FAQ entry saved");
      return { file };
    });
    faqWrites = run.catch(() => undefined);
    return run;
  };
  // Web-chat visitors are anonymous and give no consent: their answers are counted under one
  // pseudonymous "web" user, without question text (the store drops it without consent).
  const webVisitor = store.ensureUser("web", "web-chat").key;
  const app = await createHttpServer({
    engine,
    logger,
    apiRateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    // Defined below, once the channels exist; /healthz is only reachable after listen().
    health: () => health(),
    recordAnswer: (question, result, ms) => {
      store.recordMessage({
        userKey: webVisitor,
        channel: "web",
        question,
        kind: result.kind,
        confidence: result.confidence,
        commune: result.commune,
        sources: result.sources.map((s) => s.id),
        latencyMs: Math.round(ms),
      });
    },
  });

  const broadcaster = createBroadcaster({ engine, wordsPerMinute: config.BROADCAST_WORDS_PER_MINUTE, llm: () => engine.llm });

  let telegram: Service["telegram"] = null;
  if (config.TELEGRAM_BOT_TOKEN) {
    const tg = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      dialogue,
      store,
      logger: logger.child({ component: "telegram" }),
      apiRoot: config.TELEGRAM_API_ROOT,
      staffIds: config.STAFF_TELEGRAM_IDS,
      broadcaster,
      join: config.TELEGRAM_JOIN_QUIET_MS === 0 ? false : { quietMs: config.TELEGRAM_JOIN_QUIET_MS, maxWaitMs: config.TELEGRAM_JOIN_MAX_WAIT_MS },
      ...(options.telegramBotInfo ? { botInfo: options.telegramBotInfo } : {}),
      ...(options.telegramAutoRetry === false ? { autoRetry: false } : {}),
    });
    tg.delivery.start();
    if (config.TELEGRAM_WEBHOOK_URL) {
      const route = new URL(config.TELEGRAM_WEBHOOK_URL).pathname;
      // A body that is not an update (found by `npm run fuzz`) is a 400, not a crash inside grammY.
      const preValidation = async (request: { body: unknown }) => {
        if (!TelegramUpdateEnvelopeSchema.safeParse(request.body).success) throw new AppError("INVALID_BODY", "not a Telegram update");
      };
      app.post(route, { preValidation }, webhookCallback(tg.bot, "fastify", { secretToken: config.TELEGRAM_WEBHOOK_SECRET, onTimeout: "return" }));
      telegram = { ...tg, mode: "webhook" };
    } else {
      telegram = { ...tg, mode: "polling" };
    }
  }

  let zalo: ZaloChannel | null = null;
  if (config.ZALO_APP_ID && config.ZALO_OA_SECRET_KEY) {
    zalo = createZaloChannel({
      appId: config.ZALO_APP_ID,
      oaSecretKey: config.ZALO_OA_SECRET_KEY,
      ...(config.ZALO_APP_SECRET_KEY ? { appSecretKey: config.ZALO_APP_SECRET_KEY } : {}),
      ...(config.ZALO_ACCESS_TOKEN ? { accessToken: config.ZALO_ACCESS_TOKEN } : {}),
      ...(config.ZALO_REFRESH_TOKEN ? { refreshToken: config.ZALO_REFRESH_TOKEN } : {}),
      apiBaseUrl: config.ZALO_API_BASE_URL.replace(/\/+$/, ""),
      oauthBaseUrl: config.ZALO_OAUTH_BASE_URL.replace(/\/+$/, ""),
      maxEventAgeMs: config.ZALO_WEBHOOK_MAX_AGE_SECONDS * 1000,
      freeWindowHours: config.ZALO_FREE_WINDOW_HOURS,
      sendsPerSecond: config.ZALO_SENDS_PER_SECOND,
      dialogue,
      assistant,
      store,
      logger: logger.child({ component: "zalo" }),
      ...(options.zaloRetryBaseMs !== undefined ? { retryBaseMs: options.zaloRetryBaseMs } : {}),
      ...(options.zaloJobs ? { jobs: options.zaloJobs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await zalo.register(app);
    logger.info({ route: "/webhooks/zalo" }, "zalo webhook ready");
  }

  await app.register(dialogueRoutes, { dialogue, store, assistant, logger: logger.child({ component: "web" }), rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE });

  // Officials' console under /console (off, with a page saying how to turn it on, until a staff account exists).
  const consoleState = await registerConsole(app, {
    config,
    logger,
    store,
    assistant,
    engine,
    reindex,
    saveStaffFaq,
    broadcaster: { ...broadcaster, toText: broadcastToText, toDocx: broadcastToDocx, topics: TOPIC_PROFILES.map((t) => t.title) },
  });
  logger.info({ route: "/console", enabled: consoleState.enabled }, "console ready");

  // The index files of the engine in use are checked by /healthz (cheaply, see watchIndexFiles).
  // Damaged ones are rebuilt in the background by a re-index, which never loads them: the engine
  // in use keeps answering from memory meanwhile, and /healthz answers 503 until the repair is done.
  let lastRepairAt = Number.NEGATIVE_INFINITY;
  const repairIndex = (problem: string | null) => {
    if (reindexing || Date.now() - lastRepairAt < INDEX_REPAIR_RETRY_MS) return;
    lastRepairAt = Date.now();
    logger.error({ problem }, "the saved vector index is damaged or not saved; rebuilding it from the knowledge folder");
    reindex().catch((err: unknown) =>
      logger.error({ err, problem }, `the vector index could not be rebuilt; /healthz answers 503; retrying in ${INDEX_REPAIR_RETRY_MS / 1000} s`),
    );
  };
  const indexHealth = async (): Promise<ServiceHealth["index"]> => {
    const integrity = await engine.index.check();
    if (!integrity.ok) repairIndex(integrity.problem);
    return { ...integrity, repairing: reindexing !== null };
  };

  // /healthz: the database check and what each channel is doing (http.ts imports no channel).
  let telegramConnected = false;
  const health = async (): Promise<ServiceHealth> => {
    const database = store.health();
    let consoleOn = false;
    let zaloState: ServiceHealth["channels"]["zalo"] = { state: "off" };
    if (database.ok) consoleOn = store.countStaff() > 0;
    if (zalo) {
      const t = database.ok ? zalo.client.tokenStatus() : null;
      zaloState = {
        state: "on",
        ...(t ? { tokens: { hasAccessToken: t.hasAccessToken, canRefresh: t.canRefresh, expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString() } } : {}),
        pendingJobs: zalo.pending(),
      };
    }
    return {
      database,
      index: await indexHealth(),
      channels: { telegram: { state: telegram?.mode ?? "off", connected: telegramConnected }, zalo: zaloState, console: { state: consoleOn ? "on" : "off" } },
    };
  };

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;

  // Telegram is connected in the background: an unreachable Bot API (no network, wrong token) never
  // delays or takes down the web chat. grammY retries getMe itself; a failed setWebhook is retried here.
  let retryTimer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  let telegramReady: Promise<void> = Promise.resolve();
  if (telegram) {
    const tg = telegram;
    // grammY types its signal with the abort-controller shim; Node's AbortSignal is compatible at run time.
    const signal = abort.signal as unknown as Parameters<typeof tg.bot.init>[0];
    const connect = async () => {
      await tg.bot.init(signal);
      if (tg.mode === "webhook") {
        await tg.bot.api.setWebhook(
          config.TELEGRAM_WEBHOOK_URL as string,
          { secret_token: config.TELEGRAM_WEBHOOK_SECRET as string, allowed_updates: ["message", "callback_query"] },
          signal,
        );
        logger.info({ route: new URL(config.TELEGRAM_WEBHOOK_URL as string).pathname, bot: tg.bot.botInfo.username }, "telegram webhook registered");
      } else {
        // Long polling runs until stop(); grammY retries network failures while it runs.
        void tg.bot
          .start({ drop_pending_updates: false, allowed_updates: ["message", "callback_query"], onStart: (me) => logger.info({ bot: me.username }, "telegram long polling started") })
          .catch((err: unknown) => logger.error({ err }, "telegram polling stopped with an error"));
      }
    };
    telegramReady = new Promise<void>((resolve) => {
      const attempt = async (): Promise<void> => {
        try {
          await connect();
          telegramConnected = true;
          resolve();
        } catch (err) {
          if (abort.signal.aborted) return resolve();
          logger.error({ err }, `telegram not reachable; the web chat keeps running; retrying in ${TELEGRAM_RETRY_MS / 1000} s`);
          retryTimer = setTimeout(() => void attempt(), TELEGRAM_RETRY_MS);
          retryTimer.unref();
        }
      };
      void attempt();
    });
  }

  let stopped = false;
  return {
    app,
    engine,
    store,
    assistant,
    broadcaster,
    telegram,
    zalo,
    port,
    reindex,
    saveStaffFaq,
    telegramReady,
    async stop(options = {}) {
      if (stopped) return;
      stopped = true;
      const drainMs = options.drainMs ?? SHUTDOWN_DRAIN_MS;
      stopPurge();
      clearTimeout(retryTimer);
      abort.abort();
      // Stop accepting first, all at once: new Zalo events get 503 (Zalo resends them later), the
      // HTTP server takes no new connection and answers 503 on kept-alive ones, polling stops.
      // Then wait, at most drainMs, for what was accepted: Zalo jobs already acknowledged,
      // requests in flight, and Telegram messages still being joined (answered at once).
      const zaloDrained = zalo ? zalo.close(drainMs) : Promise.resolve(true);
      const telegramDrained = telegram ? telegram.delivery.close(drainMs) : Promise.resolve(true);
      const force = setTimeout(() => app.server.closeAllConnections(), drainMs);
      force.unref();
      // A re-index or staff-FAQ write under way finishes (bounded by drainMs) before the files close.
      const indexing = Promise.race([
        Promise.all([reindexing?.catch(() => undefined), faqWrites]),
        new Promise((resolve) => setTimeout(resolve, drainMs).unref()),
      ]);
      const [drained] = await Promise.all([
        zaloDrained,
        app.close(),
        telegram?.mode === "polling" && telegram.bot.isRunning() ? telegram.bot.stop() : undefined,
        indexing,
        telegramDrained,
      ]);
      if (telegram) await Promise.race([telegram.flush(), new Promise((resolve) => setTimeout(resolve, drainMs).unref())]);
      clearTimeout(force);
      // Closing the last connection checkpoints the WAL into the database file.
      store.close();
      logger.info({ drained }, "service stopped");
    },
  };
}
