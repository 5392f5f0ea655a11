/**
 * /bantin: commune radio staff draft a broadcast script from Telegram. The script, its sources
 * (not read aloud) and a .docx always go to the staff member's private chat (a user's private
 * chat id is their user id). Staff-facing: not part of the resident dialogue.
 */
import { InputFile, type Bot, type Context } from "grammy";
import { broadcastReadAloudText, broadcastSourcesText, broadcastToDocx, type Broadcaster } from "../../core/broadcast/index.js";
import type { Store } from "../../core/store.js";
import { fold, tokenize } from "../../core/text/normalize.js";
import type { Logger } from "../../logger.js";
import { splitMessage } from "./format.js";

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

export interface BroadcastCommandOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Telegram user ids of commune radio staff. */
  readonly staffIds: readonly number[];
  /** Drafts radio scripts; without it the command says the feature is off. */
  readonly broadcaster?: Broadcaster;
  readonly errorFacts: (err: unknown) => Record<string, unknown>;
}

async function sendDraft(ctx: Context, userId: number, topic: string, minutes: number, o: BroadcastCommandOptions): Promise<void> {
  const commune = o.store.getUser(o.store.userKey("telegram", String(userId)))?.commune ?? null;
  const outcome = await (o.broadcaster as Broadcaster).draft({ topic, minutes, commune });
  if (!outcome.ok) {
    await ctx.api.sendMessage(userId, outcome.reason === "invalid_request" ? `${outcome.message}\n${BROADCAST_REPLIES.usage}` : outcome.message);
    return;
  }
  const { script } = outcome;
  const quiet = { link_preview_options: { is_disabled: true } };
  for (const piece of splitMessage(broadcastReadAloudText(script))) await ctx.api.sendMessage(userId, piece, quiet);
  for (const piece of splitMessage(broadcastSourcesText(script))) await ctx.api.sendMessage(userId, piece, quiet);
  const slug = tokenize(fold(topic)).join("-").replace(/[^a-z0-9-]/g, "").slice(0, 40) || "ban-tin";
  await ctx.api.sendDocument(userId, new InputFile(await broadcastToDocx(script), `ban-tin-${slug}-${minutes}-phut.docx`), { caption: BROADCAST_REPLIES.document });
}

/** Registers /bantin on the bot. */
export function registerBroadcastCommand<C extends Context>(bot: Bot<C>, o: BroadcastCommandOptions): void {
  bot.command("bantin", async (ctx) => {
    const userId = ctx.from?.id;
    if (userId === undefined || !o.staffIds.includes(userId)) return void (await ctx.reply(BROADCAST_REPLIES.staffOnly));
    if (!o.broadcaster) return void (await ctx.reply(BROADCAST_REPLIES.off));
    const { topic, minutes } = parseBroadcastCommand(typeof ctx.match === "string" ? ctx.match : "");
    if (!topic) return void (await ctx.reply(BROADCAST_REPLIES.usage));
    const inGroup = ctx.chat?.type !== "private";
    try {
      await sendDraft(ctx, userId, topic, minutes, o);
      if (inGroup) await ctx.reply(BROADCAST_REPLIES.sentPrivately);
    } catch (err) {
      o.logger.warn({ err: o.errorFacts(err) }, "telegram broadcast draft could not be sent privately");
      if (inGroup) await ctx.reply(BROADCAST_REPLIES.privateFailed);
      else throw err;
    }
  });
}
