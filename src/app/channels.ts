/**
 * Builders of the messaging channels (composition root, see src/app/service.ts): Telegram and
 * Zalo when `.env` turns them on, each given its config section and the one resident dialogue
 * (core/dialogue, which reads the live knowledge at each event), and Telegram's background connection.
 */
import type { FastifyInstance } from "fastify";
import { webhookCallback } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { createTelegramBot, TelegramUpdateEnvelopeSchema, type TelegramBot } from "../channels/telegram/bot.js";
import { createZaloChannel, type ZaloChannel, type ZaloJobOptions } from "../channels/zalo/channel.js";
import type { TelegramConfig, ZaloConfig } from "../config.js";
import type { Assistant } from "../core/assistant.js";
import type { Broadcaster } from "../core/broadcast/index.js";
import type { Dialogue } from "../core/dialogue/index.js";
import { AppError } from "../core/errors.js";
import type { Flow } from "../core/flows/types.js";
import type { CommuneDirectory } from "../core/knowledge/communes.js";
import type { Store } from "../core/store.js";
import type { Logger } from "../logger.js";

/** How long a failed Telegram connection (getMe, setWebhook) waits before the next try (ms). */
export const TELEGRAM_RETRY_MS = 60_000;

/** What every channel shows from the knowledge, read at each use (see src/app/knowledge.ts). */
export type ChannelKnowledge = () => { communes: CommuneDirectory; flows: readonly Flow[] };

/** What the channels share: the resident dialogue (and the assistant under it), the store. */
export interface ChannelDeps {
  readonly dialogue: Dialogue;
  readonly assistant: Assistant;
  readonly store: Store;
  readonly logger: Logger;
}

export type TelegramService = TelegramBot & { readonly mode: "polling" | "webhook" };

/** The Telegram bot when TELEGRAM_BOT_TOKEN is set (null otherwise); its worker delivers staff answers from the job queue. */
export function buildTelegram(
  config: TelegramConfig,
  deps: ChannelDeps & { readonly broadcaster: Broadcaster; readonly botInfo?: UserFromGetMe; readonly autoRetry?: boolean },
): TelegramService | null {
  if (!config.TELEGRAM_BOT_TOKEN) return null;
  const tg = createTelegramBot({
    token: config.TELEGRAM_BOT_TOKEN,
    dialogue: deps.dialogue,
    store: deps.store,
    logger: deps.logger.child({ component: "telegram" }),
    apiRoot: config.TELEGRAM_API_ROOT,
    staffIds: config.STAFF_TELEGRAM_IDS,
    broadcaster: deps.broadcaster,
    join: config.TELEGRAM_JOIN_QUIET_MS === 0 ? false : { quietMs: config.TELEGRAM_JOIN_QUIET_MS, maxWaitMs: config.TELEGRAM_JOIN_MAX_WAIT_MS },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    ...(deps.autoRetry === false ? { autoRetry: false } : {}),
  });
  tg.delivery.start();
  return { ...tg, mode: config.TELEGRAM_WEBHOOK_URL ? "webhook" : "polling" };
}

/** Mounts the webhook route (path of TELEGRAM_WEBHOOK_URL) in webhook mode; nothing in polling mode. */
export function mountTelegramWebhook(app: FastifyInstance, config: TelegramConfig, telegram: TelegramService): void {
  if (telegram.mode !== "webhook" || !config.TELEGRAM_WEBHOOK_URL) return;
  // A body that is not an update (found by `npm run fuzz`) is a 400, not a crash inside grammY.
  const preValidation = async (request: { body: unknown }) => {
    if (!TelegramUpdateEnvelopeSchema.safeParse(request.body).success) throw new AppError("INVALID_BODY", "not a Telegram update");
  };
  app.post(new URL(config.TELEGRAM_WEBHOOK_URL).pathname, { preValidation }, webhookCallback(telegram.bot, "fastify", { secretToken: config.TELEGRAM_WEBHOOK_SECRET, onTimeout: "return" }));
}

/** Telegram's connection running in the background. */
export interface TelegramConnection {
  /** Settles when connected (webhook registered or polling started), or when stopped. */
  readonly ready: Promise<void>;
  connected(): boolean;
  /** Stops retrying and aborts a call under way. */
  stop(): void;
}

/**
 * Connects Telegram in the background: an unreachable Bot API (no network, wrong token) never
 * delays or takes down the web chat. grammY retries getMe itself; a failed setWebhook is retried here.
 */
export function connectTelegram(config: TelegramConfig, tg: TelegramService, logger: Logger): TelegramConnection {
  const abort = new AbortController();
  let retryTimer: NodeJS.Timeout | undefined;
  let connected = false;
  // grammY types its signal with the abort-controller shim; Node's AbortSignal is compatible at run time.
  const signal = abort.signal as unknown as Parameters<typeof tg.bot.init>[0];
  const connect = async () => {
    await tg.bot.init(signal);
    if (tg.mode === "webhook") {
      const url = config.TELEGRAM_WEBHOOK_URL as string;
      await tg.bot.api.setWebhook(url, { secret_token: config.TELEGRAM_WEBHOOK_SECRET as string, allowed_updates: ["message", "callback_query"] }, signal);
      logger.info({ route: new URL(url).pathname, bot: tg.bot.botInfo.username }, "telegram webhook registered");
    } else {
      // Long polling runs until stop(); grammY retries network failures while it runs.
      void tg.bot
        .start({ drop_pending_updates: false, allowed_updates: ["message", "callback_query"], onStart: (me) => logger.info({ bot: me.username }, "telegram long polling started") })
        .catch((err: unknown) => logger.error({ err }, "telegram polling stopped with an error"));
    }
  };
  const ready = new Promise<void>((resolve) => {
    const attempt = async (): Promise<void> => {
      try {
        await connect();
        connected = true;
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
  return {
    ready,
    connected: () => connected,
    stop() {
      clearTimeout(retryTimer);
      abort.abort();
    },
  };
}

/** The Zalo OA channel when ZALO_APP_ID and ZALO_OA_SECRET_KEY are set (null otherwise). */
export function buildZalo(
  config: ZaloConfig,
  deps: ChannelDeps & { readonly retryBaseMs?: number; readonly jobs?: ZaloJobOptions; readonly clock?: () => number },
): ZaloChannel | null {
  if (!config.ZALO_APP_ID || !config.ZALO_OA_SECRET_KEY) return null;
  const zalo = createZaloChannel({
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
    dialogue: deps.dialogue,
    assistant: deps.assistant,
    store: deps.store,
    logger: deps.logger.child({ component: "zalo" }),
    ...(deps.retryBaseMs !== undefined ? { retryBaseMs: deps.retryBaseMs } : {}),
    ...(deps.jobs ? { jobs: deps.jobs } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  return zalo;
}
