/**
 * One Telegram update as an event of the shared dialogue, and the dialogue's replies sent back:
 * a tap is acknowledged (with the dialogue's short text, on the button), its buttons removed when
 * used up, "typing…" shown while an answer is worked out, and replies that are private (the
 * privacy notice, one's data) sent to the resident's private chat when asked for in a group.
 */
import { InlineKeyboard, type Context } from "grammy";
import type { Dialogue, DialogueEvent, Reply, Resident } from "../../core/dialogue/index.js";
import type { Logger } from "../../logger.js";
import { telegramErrorFacts } from "./delivery.js";
import { keyboardOf, renderReply } from "./render.js";

export interface Conversing {
  readonly dialogue: Dialogue;
  readonly logger: Logger;
}

const QUIET = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const;

export const residentOf = (from: { id: number }): Resident => ({ channel: "telegram", channelUserId: String(from.id) });

/** Replies in a chat (the update's by default), each split; the buttons go with the last piece. */
async function reply(ctx: Context, replies: readonly Reply[], chatId = ctx.chat?.id): Promise<void> {
  if (chatId === undefined) return;
  for (const r of replies) {
    const pieces = renderReply(r);
    const keyboard = keyboardOf(r);
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      await ctx.api.sendMessage(chatId, piece, { ...QUIET, ...(last && keyboard ? { reply_markup: keyboard } : {}) });
    }
  }
}

/**
 * Private replies asked for in a group go to the resident's private chat, with a short note in
 * the group; when Telegram refuses (the resident never opened a chat with the bot), the group
 * only gets the way to open one. Returns whether the resident got them.
 */
async function replyPrivately(o: Conversing, ctx: Context, replies: readonly Reply[], userId: number): Promise<boolean> {
  const { shared } = o.dialogue.texts;
  const notice = replies.some((r) => r.private === "notice");
  try {
    await reply(ctx, replies, userId);
  } catch (err) {
    o.logger.warn({ err: telegramErrorFacts(err) }, "telegram private reply could not be sent privately");
    if (!notice) await ctx.reply(shared.myDataFailed);
    else await ctx.reply(shared.noticeFailed, { reply_markup: new InlineKeyboard().url(shared.openPrivate, `https://t.me/${ctx.me.username}?start=nhom`) });
    return false;
  }
  await ctx.reply(notice ? shared.noticeSent : shared.myDataSent);
  return true;
}

/** One event for the dialogue, from the resident of `ctx`, and its replies. */
export async function converse(o: Conversing, ctx: Context, event: DialogueEvent): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const resident = residentOf(from);
  const shared = ctx.chat?.type !== "private";
  const tap = ctx.callbackQuery !== undefined;
  let acked = false;
  const ack = async (text?: string) => {
    if (!tap || acked) return;
    acked = true;
    await ctx.answerCallbackQuery(text ? { text } : {});
  };
  const typing = async () => {
    await ack();
    await ctx.replyWithChatAction("typing").catch(() => undefined);
  };
  const outcome = await o.dialogue.handle(resident, event, { shared, typing });
  await ack(outcome.ack);
  if (tap && outcome.spent) await ctx.editMessageReplyMarkup().catch(() => undefined);
  const privately = shared ? outcome.replies.filter((r) => r.private) : [];
  await reply(ctx, outcome.replies.filter((r) => !privately.includes(r)));
  if (privately.length && (await replyPrivately(o, ctx, privately, from.id)) && privately.some((r) => r.private === "notice")) o.dialogue.noticeShown(resident);
}
