/**
 * The Telegram bot (grammY): it turns updates into events of the shared resident dialogue
 * (core/dialogue) and renders the dialogue's replies as HTML with inline buttons (render.ts).
 * What is Telegram's stays here: each update handled once (also across restarts), groups
 * (only commands, mentions and replies; private things go to the private chat), quick messages
 * joined into one question, the rate limit (a refused tap is still acknowledged), the staff
 * command /bantin (broadcast.ts) and the staff-answer worker (delivery.ts).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, type Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import { z } from "zod/v4";
import { createBurstJoiner, type Burst, type BurstOptions } from "../../core/burst.js";
import type { Broadcaster } from "../../core/broadcast/index.js";
import { SLASH_COMMANDS, type Dialogue } from "../../core/dialogue/index.js";
import type { Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import type { JobWorker } from "../job-worker.js";
import { registerBroadcastCommand } from "./broadcast.js";
import { converse, residentOf } from "./conversation.js";
import { createTelegramDelivery, telegramErrorFacts } from "./delivery.js";

export { parseBroadcastCommand } from "./broadcast.js";

export interface TelegramBotOptions {
  readonly token: string;
  /** The resident dialogue (shared by every channel). */
  readonly dialogue: Dialogue;
  readonly store: Store;
  readonly logger: Logger;
  /** Bot API server (default Telegram's); a local Bot API server or a test double. */
  readonly apiRoot?: string;
  /** Skips getMe (tests, or when known). */
  readonly botInfo?: UserFromGetMe;
  /**
   * Messages a resident sends in quick succession are joined into one question (core/burst.ts;
   * default DEFAULT_BURST_OPTIONS). `false` answers each message on its own, within its update.
   */
  readonly join?: Partial<BurstOptions> | false;
  /** Retry 429/5xx/network failures of outgoing calls (auto-retry plugin); default on. */
  readonly autoRetry?: boolean;
  /** Telegram user ids of commune radio staff, who may draft broadcasts with /bantin. */
  readonly staffIds?: readonly number[];
  /** Drafts radio scripts for /bantin; without it the command says the feature is off. */
  readonly broadcaster?: Broadcaster;
  /** How often the staff-answer worker looks for answers when idle (ms; tests). */
  readonly deliveryPollMs?: number;
}

/**
 * What every Telegram update is: an object with a numeric `update_id`. grammY reads `update_id`
 * before its own error boundary, so a webhook body that is not such an object (JSON null, no
 * body) must be refused before it reaches the bot, or it would be a 500.
 */
export const TelegramUpdateEnvelopeSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

export interface TelegramBot {
  readonly bot: Bot;
  /** Sends staff answers from the job queue: `start()` it with the bot, `close()` it at shutdown. */
  readonly delivery: JobWorker;
  /** Answers every message still waiting to be joined, now, and resolves when all are answered (shutdown, tests). */
  flush(): Promise<void>;
}

/** A message that starts with a command (/start, /menu@bot…). */
function isCommand(message: Message): boolean {
  return message.entities?.some((e) => e.type === "bot_command" && e.offset === 0) ?? false;
}

/**
 * What every update passes first: one error boundary for every handler, each update handled
 * once, and in groups only commands, mentions of the bot and replies to it. Returns the apology.
 */
function installGuards(bot: Bot, o: TelegramBotOptions): (ctx: Context, err: unknown) => Promise<void> {
  // One error boundary for every handler (polling and webhook alike): the error is logged without
  // message text, the resident gets an apology, and Telegram gets a normal response so it does not
  // resend the update.
  const apologise = async (ctx: Context, err: unknown) => {
    o.logger.error({ err: telegramErrorFacts(err), update: ctx.update.update_id }, "telegram handler failed");
    try {
      if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, o.dialogue.texts.apology);
    } catch {
      // Nothing more to do: the apology itself failed.
    }
  };
  bot.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      await apologise(ctx, err);
    }
  });
  bot.catch(async (err) => apologise(err.ctx, err.error));

  // Telegram sends an update again when it thinks it was not delivered (a webhook answered late,
  // a restart before the polling offset was confirmed): each update id is handled once, also
  // across restarts (the ids are kept in the store for SEEN_EVENT_DAYS).
  bot.use(async (ctx, next) => {
    if (o.store.markEventSeen("telegram", String(ctx.update.update_id))) return next();
    o.logger.info({ update: ctx.update.update_id }, "telegram update already handled, ignored");
  });

  // Groups: only commands, mentions of the bot and replies to it.
  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (!chat || chat.type === "private" || !ctx.message) return next();
    const msg = ctx.message;
    const text = msg.text ?? "";
    const me = ctx.me;
    const mentioned = msg.entities?.some((e) => e.type === "mention" && text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${me.username.toLowerCase()}`) ?? false;
    const repliedTo = msg.reply_to_message?.from?.id === me.id;
    if (isCommand(msg) || mentioned || repliedTo) return next();
  });
  return apologise;
}

export function createTelegramBot(o: TelegramBotOptions): TelegramBot {
  const bot = new Bot(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    client: { apiRoot: o.apiRoot ?? "https://api.telegram.org" },
  });
  if (o.autoRetry !== false) bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const { dialogue } = o;
  const texts = dialogue.texts;

  const apologise = installGuards(bot, o);

  // Quick messages are joined into one question (answered from a timer, see answerBurst); the
  // limit counts a joined burst once, and every other update (commands, taps) once each.
  const joiner =
    o.join === false
      ? null
      : createBurstJoiner<Context>(o.join ?? {}, (burst) => answerBurst(burst), {
          onError: (err) => o.logger.error({ err: telegramErrorFacts(err) }, "telegram burst handling failed"),
        });
  // One resident in one chat (the same person may ask privately and in a group).
  const burstKey = (chatId: number, userId: number) => `${chatId}:${userId}`;
  const joins = (ctx: Context): boolean => joiner !== null && ctx.message?.text !== undefined && !isCommand(ctx.message);

  bot.use(async (ctx, next) => {
    if (joins(ctx) || !ctx.from) return next();
    // Messages still being joined are answered before anything else the resident does, so replies keep their order.
    if (joiner && ctx.chat) await joiner.flush(burstKey(ctx.chat.id, ctx.from.id));
    const admission = dialogue.admit(residentOf(ctx.from), ctx.callbackQuery ? "tap" : "message");
    if (admission.ok) return next();
    o.logger.info({ update: ctx.update.update_id }, "telegram update rate limited");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: admission.notice ?? texts.tooFastTap });
    else if (admission.notice && ctx.chat) await ctx.reply(admission.notice);
  });

  /**
   * A burst of joined messages, once the resident paused: it runs after their updates were
   * handled, and counts once against the rate limit. It replies through the context of the last
   * message (same resident, same chat).
   */
  async function answerBurst(burst: Burst<Context>): Promise<void> {
    const ctx = burst.items[burst.items.length - 1];
    if (!ctx?.from) return;
    try {
      const admission = dialogue.admit(residentOf(ctx.from), "message");
      if (!admission.ok) {
        o.logger.info({ update: ctx.update.update_id, parts: burst.items.length }, "telegram burst rate limited");
        if (admission.notice) await ctx.reply(admission.notice);
        return;
      }
      if (burst.items.length > 1) o.logger.debug({ update: ctx.update.update_id, parts: burst.items.length, reason: burst.reason }, "telegram messages joined");
      await converse(o, ctx, { kind: "text", text: burst.text });
    } catch (err) {
      await apologise(ctx, err);
    }
  }

  // ---- updates -------------------------------------------------------------------------

  registerBroadcastCommand(bot, { store: o.store, logger: o.logger, staffIds: o.staffIds ?? [], ...(o.broadcaster ? { broadcaster: o.broadcaster } : {}), errorFacts: telegramErrorFacts });

  for (const [command, name] of Object.entries(SLASH_COMMANDS)) bot.command(command, (ctx) => converse(o, ctx, { kind: "command", name }));

  bot.on("callback_query:data", (ctx) => converse(o, ctx, { kind: "choice", id: ctx.callbackQuery.data }));
  // A button without data (or an unknown kind): acknowledged, so it never spins.
  bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());

  bot.on("message:text", async (ctx) => {
    let text = ctx.message.text;
    if (ctx.chat.type !== "private") text = text.replace(new RegExp(`@${ctx.me.username}`, "gi"), "").trim();
    if (!text) return;
    if (joiner && joins(ctx)) joiner.add(burstKey(ctx.chat.id, ctx.from.id), text, ctx);
    else await converse(o, ctx, { kind: "text", text });
  });

  bot.on("message", async (ctx) => {
    if (ctx.chat.type === "private") await converse(o, ctx, { kind: "media" });
  });

  const delivery = createTelegramDelivery({ api: bot.api, store: o.store, logger: o.logger, ...(o.deliveryPollMs !== undefined ? { pollMs: o.deliveryPollMs } : {}) });
  return { bot, delivery, flush: () => joiner?.flush() ?? Promise.resolve() };
}
