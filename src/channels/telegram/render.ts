/**
 * The dialogue's replies as Telegram messages: HTML (every dynamic part escaped, emphasis in
 * <b>, notes in <i>), split at Telegram's 4,096-character limit, sources after the text, and the
 * choices as inline buttons on the last piece (callback data = the choice's id).
 */
import { InlineKeyboard } from "grammy";
import type { Reply } from "../../core/dialogue/index.js";
import { escapeHtml, renderSources, splitMessage, TELEGRAM_TEXT_LIMIT } from "./format.js";

/** A button label: Telegram shows about one line; longer labels end with "…". */
export const BUTTON_CHARS = 60;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Escaped text with the given parts in bold (the first occurrence of each). */
function emphasise(text: string, bold: readonly string[]): string {
  let html = escapeHtml(text);
  for (const part of bold) {
    const escaped = escapeHtml(part);
    const at = html.indexOf(escaped);
    if (part && at >= 0) html = `${html.slice(0, at)}<b>${escaped}</b>${html.slice(at + escaped.length)}`;
  }
  return html;
}

/** The reply's choices as inline buttons, one per row unless a choice goes on the previous row. */
export function keyboardOf(reply: Reply): InlineKeyboard | null {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return null;
  const keyboard = new InlineKeyboard();
  choices.forEach((c, i) => {
    if (i > 0 && !c.sameRow) keyboard.row();
    keyboard.text(shorten(c.short ?? c.label, BUTTON_CHARS), c.id);
  });
  return keyboard;
}

/** The reply as HTML pieces of at most `limit` characters; sources, note and footer ride on the last piece when they fit. */
export function renderReply(reply: Reply, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const pieces = splitMessage(emphasise(reply.text, reply.bold ?? []), limit);
  const tails = [renderSources(reply.sources ?? []), reply.note ? `<i>${escapeHtml(reply.note)}</i>` : "", reply.footer ? escapeHtml(reply.footer) : ""];
  for (const tail of tails.filter(Boolean)) {
    const last = pieces[pieces.length - 1] ?? "";
    if (last && last.length + 2 + tail.length <= limit) pieces[pieces.length - 1] = `${last}\n\n${tail}`;
    else pieces.push(...splitMessage(tail, limit));
  }
  return pieces;
}
