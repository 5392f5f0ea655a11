/**
 * The Telegram bot (grammY): commands, menus, guided flows, answers with sources, feedback,
 * handoff to commune staff, consent and data deletion. All conversation logic lives in the
 * shared assistant (core/assistant.ts); this module only speaks Telegram.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, session, type Context, type SessionFlavor, type StorageAdapter } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import { z } from "zod/v4";
import type { Assistant, Resident, Turn } from "../../core/assistant.js";
import { createBurstJoiner, type Burst, type BurstOptions } from "../../core/burst.js";
import { broadcastReadAloudText, broadcastSourcesText, broadcastToDocx, type Broadcaster } from "../../core/broadcast/index.js";
import type { CommuneDirectory } from "../../core/knowledge/communes.js";
import { SMARTPHONE_FLOW_ID, TWO_G_FLOW_ID } from "../../core/flows/index.js";
import type { Flow, FlowReply } from "../../core/flows/types.js";
import { CONSENT_LABELS, myDataText, privacyNotice } from "../../core/privacy/notice.js";
import { createRateLimiter } from "../../core/rate-limit.js";
import type { Store } from "../../core/store.js";
import { fold, tokenize } from "../../core/text/normalize.js";
import type { Logger } from "../../logger.js";
import { PLAN_QUESTION, SKILL_QUESTIONS, TOPICS_LINE } from "../menu.js";
import { escapeHtml, renderAnswer, splitMessage } from "./format.js";

export { SKILL_QUESTIONS };

/** A button label: Telegram shows about one line; longer questions end with "…". */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Per-user UI state kept in the SQLite store through grammY's session plugin. */
export interface SessionData {
  /** What the next free text means: a reason for a 👎, or a question for staff. */
  awaiting: { kind: "reason"; messageId: number } | { kind: "staff" } | null;
  /** The questions offered by the last "Có phải bà con muốn hỏi…?" (curated headings, not the resident's text). */
  suggestions?: string[];
  /**
   * The privacy notice and the consent question were shown to this resident. Unset for someone
   * who never saw them, and again after /xoadulieu (the session goes with the data): their next
   * answer is then followed by the notice and the consent question, once.
   */
  welcomed?: boolean;
}
export type BotContext = Context & SessionFlavor<SessionData>;

export interface TelegramBotOptions {
  readonly token: string;
  readonly assistant: Assistant;
  readonly store: Store;
  /** The live knowledge (read at each use, so a re-index shows at once). */
  readonly knowledge: () => { communes: CommuneDirectory; flows: readonly Flow[] };
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly controller: string;
  /** Bot API server (default Telegram's); a local Bot API server or a test double. */
  readonly apiRoot?: string;
  /** Skips getMe (tests, or when known). */
  readonly botInfo?: UserFromGetMe;
  /**
   * Updates allowed per user per time frame (default 8 per 10 s); a joined burst of messages
   * counts once. Over it, the resident is told once and a button tap is still acknowledged.
   */
  readonly rateLimit?: { readonly timeFrameMs: number; readonly limit: number };
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
}

/**
 * What every Telegram update is: an object with a numeric `update_id`. grammY reads `update_id`
 * before its own error boundary, so a webhook body that is not such an object (JSON null, no
 * body) must be refused before it reaches the bot, or it would be a 500.
 */
export const TelegramUpdateEnvelopeSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

/** Guided flows offered in the menu, by id (see core/flows). */
export const MENU_FLOWS = { smartphone: SMARTPHONE_FLOW_ID, twoG: TWO_G_FLOW_ID } as const;

const HELP = [
  TOPICS_LINE,
  "Bà con cứ gõ câu hỏi, có dấu hay không dấu đều được. Mỗi câu trả lời có ghi nguồn.",
  "",
  "/menu – chọn chủ đề",
  "/xa – chọn xã của bà con",
  "/huy – thoát khỏi phần hỏi từng bước",
  "/quyenriengtu – xem thông báo về dữ liệu cá nhân, đổi lựa chọn",
  "/xemdulieu – xem trợ lý đang lưu gì về bà con",
  "/xoadulieu – xóa toàn bộ dữ liệu của bà con",
  "/help – hướng dẫn này",
].join("\n");

const APOLOGY = "Xin lỗi bà con, trợ lý đang gặp trục trặc. Bà con vui lòng thử lại sau ít phút.";
const CONSENT_QUESTION_HTML = "<b>Bà con có đồng ý cho trợ lý lưu câu hỏi không?</b> Dù chọn thế nào, trợ lý vẫn trả lời bà con.";
const TOO_FAST = "Bà con gửi nhanh quá, xin đợi một chút rồi hỏi tiếp nhé.";
/** Shown on the button itself (answerCallbackQuery), so the tap never spins forever. */
const TOO_FAST_TAP = "Bà con bấm nhanh quá, xin đợi một chút rồi bấm lại nhé.";

/** Replies when the privacy notice is asked for in a group: it goes to the private chat only. */
const GROUP_NOTICE_REPLIES = {
  sentPrivately: "Trợ lý đã nhắn riêng cho bà con thông báo về dữ liệu cá nhân và câu hỏi có đồng ý lưu câu hỏi không.",
  privateFailed: "Thông báo về dữ liệu cá nhân chỉ gửi trong tin nhắn riêng. Bà con bấm nút dưới để nhắn riêng cho trợ lý, rồi bấm «Bắt đầu».",
  button: "Nhắn riêng cho trợ lý",
} as const;

/** A message that starts with a command (/start, /menu@bot…). */
function isCommand(message: Message): boolean {
  return message.entities?.some((e) => e.type === "bot_command" && e.offset === 0) ?? false;
}

/**
 * An error as it may be logged. A GrammyError carries the whole request payload (the message
 * text sent to the resident, which quotes their question) and an HttpError the request: only
 * the method and Telegram's answer are kept.
 */
export function errInfo(err: unknown): Record<string, unknown> {
  if (err instanceof GrammyError) return { name: err.name, method: err.method, code: err.error_code, description: err.description };
  if (err instanceof HttpError) return { name: err.name, message: err.message, cause: err.error instanceof Error ? err.error.message : String(err.error) };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { error: String(err) };
}

/** Replies of the staff command /bantin (broadcast drafting). */
const BROADCAST_REPLIES = {
  staffOnly: "Xin lỗi, lệnh /bantin chỉ dành cho cán bộ Đài truyền thanh xã. Bà con cứ gõ câu hỏi, trợ lý sẽ trả lời.",
  off: "Chức năng soạn bản tin chưa được bật trên trợ lý này.",
  usage: "Cách dùng: /bantin <chủ đề> [số phút], ví dụ: /bantin tắt sóng 2G 3 (mặc định 3 phút, tối đa 15 phút).",
  sentPrivately: "Trợ lý đã gửi bản tin vào tin nhắn riêng của anh/chị.",
  privateFailed: "Trợ lý chưa nhắn riêng được cho anh/chị. Anh/chị mở trò chuyện riêng với trợ lý, gõ /start, rồi gõ lại /bantin.",
  document: "Bản tin dạng Word (.docx), có phần nguồn để kiểm tra ở trang cuối.",
} as const;
const BROADCAST_DEFAULT_MINUTES = 3;

/** Words a number belongs to in a topic ("VNeID mức 2", "giai đoạn 2"): that number is not the length. */
const NUMBERED_WORD = /(?:^|\s)(?:mức|muc|cấp|cap|số|so|đoạn|doan|điều|dieu|khoản|khoan|thông tư|thong tu)$/iu;

/**
 * "/bantin tắt sóng 2G 3" → topic and minutes: a trailing number is the length in minutes when
 * "phút" follows it, or when it does not complete the topic ("vneid mức 2" is a topic).
 */
export function parseBroadcastCommand(args: string): { topic: string; minutes: number } {
  const text = args.trim();
  const m = /^(.*?)\s+(\d{1,2}(?:[.,]\d+)?)\s*(phút|phut|p)?$/iu.exec(text);
  if (!m || (!m[3] && NUMBERED_WORD.test(m[1] as string))) return { topic: text, minutes: BROADCAST_DEFAULT_MINUTES };
  return { topic: (m[1] as string).trim(), minutes: Number((m[2] as string).replace(",", ".")) };
}

export interface TelegramBot {
  readonly bot: Bot<BotContext>;
  /** Sends a staff answer to a chat; false when Telegram refused (e.g. the user blocked the bot). */
  deliver(chatId: string, text: string): Promise<boolean>;
  /** Answers every message still waiting to be joined, now, and resolves when all are answered (shutdown, tests). */
  flush(): Promise<void>;
}

export function createTelegramBot(o: TelegramBotOptions): TelegramBot {
  const bot = new Bot<BotContext>(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    client: { apiRoot: o.apiRoot ?? "https://api.telegram.org" },
  });
  if (o.autoRetry !== false) bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));

  const noticeText = () =>
    privacyNotice({ retentionDays: o.retentionDays, controller: o.controller, deleteHow: "gõ /xoadulieu", viewHow: "gõ /xemdulieu" });
  const consentKeyboard = () => new InlineKeyboard().text(CONSENT_LABELS.agree, "consent:yes").text(CONSENT_LABELS.decline, "consent:no");
  const resident = (ctx: Context): Resident => ({ channel: "telegram", channelUserId: String(ctx.from?.id) });
  // Staff answers go to the resident's private chat (a user's private chat id is their user id),
  // never to a group where the question may have been asked.
  const privateAddress = (ctx: Context) => String(ctx.from?.id);

  const storage: StorageAdapter<SessionData> = {
    read: (key) => o.store.getState<SessionData>(key),
    write: (key, value) => o.store.setState(key, value),
    delete: (key) => o.store.deleteState(key),
  };

  // One error boundary for every handler (polling and webhook alike): the error is logged without
  // message text, the resident gets an apology, and Telegram gets a normal response so it does not
  // resend the update.
  const apologise = async (ctx: Context, err: unknown) => {
    o.logger.error({ err: errInfo(err), update: ctx.update.update_id }, "telegram handler failed");
    try {
      if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, APOLOGY);
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

  // Quick messages are joined into one question (answered from a timer, see answerBurst); the
  // limit counts a joined burst once, and every other update (commands, taps) once each.
  const rl = o.rateLimit ?? { timeFrameMs: 10_000, limit: 8 };
  const limiter = createRateLimiter({ limit: rl.limit, windowMs: rl.timeFrameMs });
  const limiterKey = (from: { id: number }) => o.store.userKey("telegram", String(from.id));
  const joiner =
    o.join === false
      ? null
      : createBurstJoiner<BotContext>(o.join ?? {}, (burst) => answerBurst(burst), {
          onError: (err) => o.logger.error({ err: errInfo(err) }, "telegram burst handling failed"),
        });
  // One resident in one chat (the same person may ask privately and in a group).
  const burstKey = (chatId: number, userId: number) => `${chatId}:${userId}`;
  const joins = (ctx: Context): boolean => joiner !== null && ctx.message?.text !== undefined && !isCommand(ctx.message);

  bot.use(async (ctx, next) => {
    if (joins(ctx) || !ctx.from) return next();
    // Messages still being joined are answered before anything else the resident does, so replies keep their order.
    if (joiner && ctx.chat) await joiner.flush(burstKey(ctx.chat.id, ctx.from.id));
    const admission = limiter.admit(limiterKey(ctx.from));
    if (admission === "ok") return next();
    o.logger.info({ update: ctx.update.update_id, admission }, "telegram update rate limited");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: TOO_FAST_TAP });
    else if (admission === "warn" && ctx.chat) await ctx.reply(TOO_FAST);
  });

  const initialSession = (): SessionData => ({ awaiting: null });
  const sessionKey = (from: { id: number }) => `${o.store.userKey("telegram", String(from.id))}:telegram`;
  bot.use(session({ initial: initialSession, storage, getSessionKey: (ctx) => (ctx.from ? sessionKey(ctx.from) : undefined) }));

  // ---- helpers -------------------------------------------------------------------------

  async function sendTurn(ctx: BotContext, session: SessionData, turn: Turn): Promise<void> {
    const { result } = turn;
    const pieces = renderAnswer(result.answer, result.sources);
    const notes: string[] = [];
    const consented = o.assistant.user(resident(ctx)).consent?.granted === true;
    if (turn.queued) notes.push("Câu hỏi này đã được chuyển cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây.");
    else if (result.kind === "handoff" && !consented)
      notes.push("Muốn cán bộ xã trả lời câu này, bà con bấm «Hỏi cán bộ xã» (cần đồng ý lưu câu hỏi).");
    let keyboard: InlineKeyboard | null;
    if (result.kind === "clarify" && result.suggestions?.length) {
      // "Có phải bà con muốn hỏi…?": one button per suggested question; the texts stay in the session.
      session.suggestions = [...result.suggestions];
      keyboard = new InlineKeyboard();
      result.suggestions.forEach((q, i) => keyboard?.text(shorten(q, 60), `sug:${i}`).row());
      // 👎 here tells officials that none of the suggestions fitted.
      keyboard.text("👍", `fb:up:${turn.messageId}`).text("👎", `fb:down:${turn.messageId}`).row().text("Hỏi cán bộ xã", `staff:${turn.messageId}`);
    } else if (result.kind === "smalltalk") {
      keyboard = null;
    } else {
      keyboard = new InlineKeyboard().text("👍", `fb:up:${turn.messageId}`).text("👎", `fb:down:${turn.messageId}`);
      if (!turn.queued && result.kind !== "refusal") keyboard.row().text("Hỏi cán bộ xã", `staff:${turn.messageId}`);
    }
    const all = notes.length ? [...pieces.slice(0, -1), `${pieces[pieces.length - 1]}\n\n<i>${escapeHtml(notes.join(" "))}</i>`] : pieces;
    for (const [i, piece] of all.entries()) {
      const last = i === all.length - 1;
      await ctx.reply(piece, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...(last && keyboard ? { reply_markup: keyboard } : {}) });
    }
  }

  async function sendFlowReply(ctx: BotContext, reply: FlowReply): Promise<void> {
    const keyboard = new InlineKeyboard();
    for (const option of reply.options) keyboard.text(option.label, `flow:${option.id}`).row();
    if (reply.options.length) keyboard.text("Hủy", "flow-cancel");
    const pieces = renderAnswer(reply.text, reply.sources);
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      await ctx.reply(piece, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...(last && reply.options.length ? { reply_markup: keyboard } : {}) });
    }
  }

  async function answer(ctx: BotContext, session: SessionData, text: string): Promise<void> {
    await ctx.replyWithChatAction("typing").catch(() => undefined);
    const turn = await o.assistant.ask(resident(ctx), text, { deliveryAddress: privateAddress(ctx) });
    await sendTurn(ctx, session, turn);
    await askConsentOnce(ctx, session);
  }

  /**
   * After an answer to someone who never saw the privacy notice, or who deleted their data
   * ("Nếu nhắn tiếp, trợ lý sẽ hỏi lại…"): the notice and the consent question, once, in a
   * private chat only.
   */
  async function askConsentOnce(ctx: BotContext, session: SessionData): Promise<void> {
    if (ctx.chat?.type !== "private" || session.welcomed) return;
    if (o.assistant.user(resident(ctx)).consent !== null) return;
    session.welcomed = true;
    await ctx.reply(`${escapeHtml(noticeText())}\n\n${CONSENT_QUESTION_HTML}`, { parse_mode: "HTML", reply_markup: consentKeyboard() });
  }

  /**
   * The privacy notice and its buttons go to the resident's private chat only. Asked for in a
   * group, they are sent privately with a short note in the group; when Telegram refuses (the
   * resident never opened a chat with the bot), the group only gets a link to open one.
   * Returns whether the resident got them.
   */
  async function sendNoticePrivately(ctx: BotContext, html: string, keyboard: InlineKeyboard): Promise<boolean> {
    if (ctx.chat?.type === "private") {
      await ctx.reply(html, { parse_mode: "HTML", reply_markup: keyboard });
      return true;
    }
    const userId = ctx.from?.id;
    if (userId === undefined) return false;
    try {
      await ctx.api.sendMessage(userId, html, { parse_mode: "HTML", reply_markup: keyboard });
    } catch (err) {
      o.logger.warn({ err: errInfo(err) }, "telegram privacy notice could not be sent privately");
      await ctx.reply(GROUP_NOTICE_REPLIES.privateFailed, { reply_markup: new InlineKeyboard().url(GROUP_NOTICE_REPLIES.button, `https://t.me/${ctx.me.username}?start=nhom`) });
      return false;
    }
    await ctx.reply(GROUP_NOTICE_REPLIES.sentPrivately);
    return true;
  }

  const menuKeyboard = () =>
    new InlineKeyboard()
      .text("Kỹ năng số", "menu:skills")
      .row()
      .text("Hỗ trợ điện thoại cho hộ nghèo", `flow-start:${MENU_FLOWS.smartphone}`)
      .row()
      .text("Tắt sóng 2G", `flow-start:${MENU_FLOWS.twoG}`)
      .row()
      .text("Kế hoạch hạ tầng số của xã", "menu:plan")
      .row()
      .text("Hỏi cán bộ xã", "menu:staff");

  const communeKeyboard = () => {
    const kb = new InlineKeyboard();
    for (const c of o.knowledge().communes.all) kb.text(`Xã ${c.name}`, `commune:${c.id}`).row();
    return kb;
  };

  // ---- commands ------------------------------------------------------------------------

  bot.command("start", async (ctx) => {
    const welcome = `<b>Chào bà con!</b> Tôi là Trợ lý số xã. Tôi trả lời về kỹ năng số, hỗ trợ điện thoại thông minh cho hộ nghèo, tắt sóng 2G và kế hoạch hạ tầng số của xã, kèm nguồn trích dẫn.\n\n${escapeHtml(noticeText())}\n\n${CONSENT_QUESTION_HTML}`;
    if (!(await sendNoticePrivately(ctx, welcome, consentKeyboard()))) return;
    o.assistant.user(resident(ctx));
    ctx.session.welcomed = true;
  });

  bot.command("menu", async (ctx) => {
    ctx.session.awaiting = null;
    o.assistant.cancelFlow(resident(ctx));
    await ctx.reply("Bà con chọn chủ đề, hoặc gõ câu hỏi:", { reply_markup: menuKeyboard() });
  });

  bot.command(["help", "trogiup"], async (ctx) => {
    await ctx.reply(escapeHtml(HELP), { parse_mode: "HTML" });
  });

  bot.command("xa", async (ctx) => {
    const user = o.assistant.user(resident(ctx));
    const current = user.commune ? o.knowledge().communes.get(user.commune)?.name : null;
    await ctx.reply(`${current ? `Xã đang chọn: ${current}. ` : ""}Bà con ở xã nào?`, { reply_markup: communeKeyboard() });
  });

  bot.command("quyenriengtu", async (ctx) => {
    const consent = o.assistant.user(resident(ctx)).consent;
    const status = consent === null ? "Bà con chưa chọn." : consent.granted ? "Bà con đã đồng ý lưu câu hỏi." : "Bà con đã chọn không đồng ý lưu câu hỏi.";
    const html = `${escapeHtml(noticeText())}\n\n<b>${escapeHtml(status)}</b> Bà con có thể đổi lựa chọn:`;
    if (await sendNoticePrivately(ctx, html, consentKeyboard().row().text("Xem dữ liệu của tôi", "mydata"))) ctx.session.welcomed = true;
  });

  // What is stored about the resident, always in their private chat (never in a group).
  async function showMyData(ctx: BotContext): Promise<void> {
    const userId = ctx.from?.id;
    if (userId === undefined) return;
    const text = myDataText(o.assistant.myData(resident(ctx)), { retentionDays: o.retentionDays, deleteHow: "gõ /xoadulieu", channelName: "Telegram" });
    const pieces = splitMessage(escapeHtml(text));
    if (ctx.chat?.type === "private") {
      for (const piece of pieces) await ctx.reply(piece, { parse_mode: "HTML" });
      return;
    }
    try {
      for (const piece of pieces) await ctx.api.sendMessage(userId, piece, { parse_mode: "HTML" });
      await ctx.reply("Trợ lý đã gửi dữ liệu của bà con vào tin nhắn riêng.");
    } catch (err) {
      o.logger.warn({ err: errInfo(err) }, "telegram my-data could not be sent privately");
      await ctx.reply("Trợ lý chưa nhắn riêng được cho bà con. Bà con mở trò chuyện riêng với trợ lý, gõ /start, rồi gõ /xemdulieu.");
    }
  }

  bot.command("xemdulieu", (ctx) => showMyData(ctx));

  bot.command("xoadulieu", async (ctx) => {
    await ctx.reply("Bà con có chắc muốn xóa toàn bộ dữ liệu trợ lý đang lưu về mình (câu hỏi, lựa chọn, đánh giá, câu hỏi gửi cán bộ)? Việc này không hoàn tác được.", {
      reply_markup: new InlineKeyboard().text("Xóa dữ liệu", "delete:yes").text("Không xóa", "delete:no"),
    });
  });

  // Commune radio staff draft a broadcast: the script, its sources (not read aloud) and a .docx,
  // always in the staff member's private chat (a user's private chat id is their user id).
  bot.command("bantin", async (ctx) => {
    const userId = ctx.from?.id;
    if (userId === undefined || !(o.staffIds ?? []).includes(userId)) {
      await ctx.reply(BROADCAST_REPLIES.staffOnly);
      return;
    }
    if (!o.broadcaster) {
      await ctx.reply(BROADCAST_REPLIES.off);
      return;
    }
    const { topic, minutes } = parseBroadcastCommand(typeof ctx.match === "string" ? ctx.match : "");
    if (!topic) {
      await ctx.reply(BROADCAST_REPLIES.usage);
      return;
    }
    const outcome = await o.broadcaster.draft({ topic, minutes, commune: o.assistant.user(resident(ctx)).commune ?? null });
    const inGroup = ctx.chat?.type !== "private";
    try {
      if (!outcome.ok) {
        await ctx.api.sendMessage(userId, outcome.reason === "invalid_request" ? `${outcome.message}\n${BROADCAST_REPLIES.usage}` : outcome.message);
      } else {
        const { script } = outcome;
        for (const piece of splitMessage(broadcastReadAloudText(script))) await ctx.api.sendMessage(userId, piece, { link_preview_options: { is_disabled: true } });
        for (const piece of splitMessage(broadcastSourcesText(script))) await ctx.api.sendMessage(userId, piece, { link_preview_options: { is_disabled: true } });
        const slug = tokenize(fold(topic)).join("-").replace(/[^a-z0-9-]/g, "").slice(0, 40) || "ban-tin";
        await ctx.api.sendDocument(userId, new InputFile(await broadcastToDocx(script), `ban-tin-${slug}-${minutes}-phut.docx`), { caption: BROADCAST_REPLIES.document });
      }
      if (inGroup) await ctx.reply(BROADCAST_REPLIES.sentPrivately);
    } catch (err) {
      o.logger.warn({ err: errInfo(err) }, "telegram broadcast draft could not be sent privately");
      if (inGroup) await ctx.reply(BROADCAST_REPLIES.privateFailed);
      else throw err;
    }
  });

  bot.command(["huy", "cancel"], async (ctx) => {
    ctx.session.awaiting = null;
    const had = o.assistant.cancelFlow(resident(ctx));
    await ctx.reply(had ? "Đã hủy. Gõ /menu để chọn chủ đề khác, hoặc gõ câu hỏi." : "Không có việc gì đang làm dở. Gõ /menu để chọn chủ đề.");
  });

  // ---- buttons -------------------------------------------------------------------------

  bot.callbackQuery(/^consent:(yes|no)$/, async (ctx) => {
    const granted = ctx.match[1] === "yes";
    o.assistant.setConsent(resident(ctx), granted);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    await ctx.reply(
      granted
        ? "Cảm ơn bà con đã đồng ý. Trợ lý sẽ lưu câu hỏi (đã che số điện thoại, số giấy tờ) để cán bộ xã xem và trả lời khi cần. Gõ /menu hoặc gõ câu hỏi."
        : "Trợ lý sẽ không lưu câu hỏi của bà con, và vẫn trả lời bình thường. Gõ /menu hoặc gõ câu hỏi.",
    );
  });

  bot.callbackQuery(/^commune:([a-z0-9-]+)$/, async (ctx) => {
    const commune = o.knowledge().communes.get(ctx.match[1] as string);
    await ctx.answerCallbackQuery();
    if (!commune) return;
    o.assistant.setCommune(resident(ctx), commune.id);
    await ctx.reply(`Đã chọn xã ${commune.name}. Câu hỏi về kế hoạch của xã sẽ trả lời theo xã ${commune.name}.`);
  });

  bot.callbackQuery("mydata", async (ctx) => {
    await ctx.answerCallbackQuery();
    await showMyData(ctx);
  });

  bot.callbackQuery(/^delete:(yes|no)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    if (ctx.match[1] === "no") {
      await ctx.reply("Đã giữ nguyên, không xóa gì.");
      return;
    }
    const counts = o.assistant.forget(resident(ctx));
    // The session row went with the user's data; do not write it back.
    ctx.session = undefined as unknown as SessionData;
    const total = Object.values(counts).reduce((s, n) => s + n, 0);
    o.logger.info({ rows: total }, "telegram user data deleted");
    await ctx.reply("Đã xóa toàn bộ dữ liệu trợ lý lưu về bà con. Nếu nhắn tiếp, trợ lý sẽ hỏi lại bà con có đồng ý lưu câu hỏi không.");
  });

  bot.callbackQuery("menu:skills", async (ctx) => {
    await ctx.answerCallbackQuery();
    const kb = new InlineKeyboard();
    SKILL_QUESTIONS.forEach((q, i) => kb.text(q, `ask:${i}`).row());
    await ctx.reply("Kỹ năng số: bà con chọn một câu hỏi, hoặc tự gõ câu hỏi của mình.", { reply_markup: kb });
  });

  bot.callbackQuery(/^ask:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    const q = SKILL_QUESTIONS[Number(ctx.match[1])];
    if (q) await answer(ctx, ctx.session, q);
  });

  bot.callbackQuery("menu:plan", async (ctx) => {
    await ctx.answerCallbackQuery();
    await answer(ctx, ctx.session, PLAN_QUESTION);
  });

  bot.callbackQuery("menu:staff", async (ctx) => {
    await ctx.answerCallbackQuery();
    if (!o.assistant.user(resident(ctx)).consent?.granted) {
      await ctx.reply("Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con. Bà con có đồng ý không?", { reply_markup: consentKeyboard() });
      return;
    }
    ctx.session.awaiting = { kind: "staff" };
    await ctx.reply("Bà con gõ câu hỏi muốn gửi cán bộ xã (gõ /huy để thôi).");
  });

  bot.callbackQuery(/^flow-start:([a-z0-9-]+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    ctx.session.awaiting = null;
    await sendFlowReply(ctx, o.assistant.startFlow(resident(ctx), ctx.match[1] as string));
  });

  bot.callbackQuery(/^flow:(.+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    const reply = o.assistant.continueFlow(resident(ctx), ctx.match[1] as string);
    if (reply) await sendFlowReply(ctx, reply);
    else await ctx.reply("Phần hỏi từng bước này đã kết thúc hoặc hết hạn. Gõ /menu để bắt đầu lại.");
  });

  bot.callbackQuery("flow-cancel", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    o.assistant.cancelFlow(resident(ctx));
    await ctx.reply("Đã hủy. Gõ /menu để chọn chủ đề khác, hoặc gõ câu hỏi.");
  });

  // A suggested question was chosen: ask it as if typed.
  bot.callbackQuery(/^sug:(\d)$/, async (ctx) => {
    const question = ctx.session.suggestions?.[Number(ctx.match[1])];
    await ctx.answerCallbackQuery();
    if (!question) {
      await ctx.reply("Trợ lý không còn giữ các câu gợi ý này. Bà con gõ lại câu hỏi nhé.");
      return;
    }
    ctx.session.suggestions = [];
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    await answer(ctx, ctx.session, question);
  });

  bot.callbackQuery(/^fb:(up|down):(\d+)$/, async (ctx) => {
    const rating = ctx.match[1] === "up" ? "up" : "down";
    const messageId = Number(ctx.match[2]);
    const ok = o.assistant.feedback(resident(ctx), messageId, rating);
    await ctx.answerCallbackQuery({ text: ok ? "Cảm ơn bà con đã đánh giá." : "Không tìm thấy câu trả lời này." });
    if (ok && rating === "down") {
      ctx.session.awaiting = { kind: "reason", messageId };
      await ctx.reply("Bà con có thể gõ ngắn gọn vì sao câu trả lời chưa tốt (không bắt buộc; gõ /huy để bỏ qua).");
    }
  });

  bot.callbackQuery(/^staff:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    const outcome = o.assistant.requestStaff(resident(ctx), { messageId: Number(ctx.match[1]), deliveryAddress: privateAddress(ctx) });
    if (outcome.ok) {
      await ctx.editMessageReplyMarkup().catch(() => undefined);
      await ctx.reply("Đã chuyển câu hỏi cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây.");
    } else if (outcome.reason === "consent_required") {
      await ctx.reply("Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con. Bà con đồng ý thì bấm nút dưới, rồi gõ lại câu hỏi.", {
        reply_markup: consentKeyboard(),
      });
    } else {
      await ctx.reply("Trợ lý không còn giữ câu hỏi này. Bà con bấm /menu › Hỏi cán bộ xã rồi gõ lại câu hỏi.");
    }
  });

  // ---- free text -----------------------------------------------------------------------

  /** What typed text means: a reason for a 👎, a question for staff, a flow choice, or a question. */
  async function handleText(ctx: BotContext, session: SessionData, text: string): Promise<void> {
    const awaiting = session.awaiting;
    if (awaiting?.kind === "reason") {
      session.awaiting = null;
      o.assistant.feedback(resident(ctx), awaiting.messageId, "down", text);
      await ctx.reply("Cảm ơn bà con. Ý kiến này giúp cán bộ xã sửa câu trả lời cho tốt hơn.");
      return;
    }
    if (awaiting?.kind === "staff") {
      session.awaiting = null;
      const outcome = o.assistant.requestStaff(resident(ctx), { text, deliveryAddress: privateAddress(ctx) });
      await ctx.reply(
        outcome.ok
          ? "Đã chuyển câu hỏi cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây."
          : "Chưa gửi được: trợ lý cần bà con đồng ý lưu câu hỏi (gõ /quyenriengtu).",
      );
      return;
    }
    const flowReply = o.assistant.continueFlow(resident(ctx), text);
    if (flowReply) {
      await sendFlowReply(ctx, flowReply);
      return;
    }
    await answer(ctx, session, text);
  }

  /**
   * A burst of joined messages, once the resident paused: it runs after their updates were
   * handled, so it reads and writes the session itself, and counts once against the rate limit.
   * It replies through the context of the last message (same resident, same chat).
   */
  async function answerBurst(burst: Burst<BotContext>): Promise<void> {
    const ctx = burst.items[burst.items.length - 1];
    if (!ctx?.from) return;
    try {
      const admission = limiter.admit(limiterKey(ctx.from));
      if (admission !== "ok") {
        o.logger.info({ update: ctx.update.update_id, parts: burst.items.length, admission }, "telegram burst rate limited");
        if (admission === "warn") await ctx.reply(TOO_FAST);
        return;
      }
      if (burst.items.length > 1) o.logger.debug({ update: ctx.update.update_id, parts: burst.items.length, reason: burst.reason }, "telegram messages joined");
      const key = sessionKey(ctx.from);
      const session = (await storage.read(key)) ?? initialSession();
      await handleText(ctx, session, burst.text);
      await storage.write(key, session);
    } catch (err) {
      await apologise(ctx, err);
    }
  }

  bot.on("message:text", async (ctx) => {
    let text = ctx.message.text;
    if (ctx.chat.type !== "private") text = text.replace(new RegExp(`@${ctx.me.username}`, "gi"), "").trim();
    if (!text) return;
    if (joiner && joins(ctx)) joiner.add(burstKey(ctx.chat.id, ctx.from.id), text, ctx);
    else await handleText(ctx, ctx.session, text);
  });

  bot.on("message", async (ctx) => {
    if (ctx.chat.type !== "private") return;
    await ctx.reply("Trợ lý chỉ đọc được tin nhắn chữ. Bà con vui lòng gõ câu hỏi bằng chữ nhé.");
  });

  async function deliver(chatId: string, text: string): Promise<boolean> {
    try {
      for (const piece of splitMessage(escapeHtml(text))) await bot.api.sendMessage(chatId, piece, { parse_mode: "HTML" });
      return true;
    } catch (err) {
      o.logger.warn({ err: errInfo(err) }, "telegram delivery of a staff answer failed");
      return false;
    }
  }

  return { bot, deliver, flush: () => joiner?.flush() ?? Promise.resolve() };
}
