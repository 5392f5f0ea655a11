/**
 * Telegram HTML rendering: every dynamic part is escaped, answers are split at Telegram's
 * 4,096-character limit on paragraph and sentence boundaries, sources follow the answer.
 */
import type { SourceRef } from "../../core/answering/answer-question.js";
import { DIALOGUE_TEXTS } from "../../core/dialogue/index.js";
import { splitMessage as splitAt } from "../split.js";

/** Telegram's limit for one message's text (after entity parsing; we count the HTML we send). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Escapes text for Telegram's HTML parse mode (only &, < and > are special; quotes in attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Only http(s) links are rendered as links. */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The numbered source list shown under an answer. */
export function renderSources(sources: readonly SourceRef[]): string {
  if (sources.length === 0) return "";
  const lines = sources.map((s, i) => {
    const label = escapeHtml(`${s.title}${s.section ? ` › ${s.section}` : ""}`);
    const url = safeUrl(s.url);
    return `[${i + 1}] ${url ? `<a href="${escapeHtml(url)}">${label}</a>` : label}`;
  });
  return `<b>${escapeHtml(DIALOGUE_TEXTS.sourcesLabel)}</b>\n${lines.join("\n")}`;
}

/** Splits escaped HTML at Telegram's limit (see channels/split.ts). */
export function splitMessage(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitAt(text, limit);
}

/** An answer and its sources as Telegram HTML messages (sources go with the last piece when they fit). */
export function renderAnswer(answer: string, sources: readonly SourceRef[], limit = TELEGRAM_TEXT_LIMIT): string[] {
  const body = splitMessage(escapeHtml(answer), limit);
  const src = renderSources(sources);
  if (!src) return body;
  const last = body[body.length - 1] ?? "";
  if (last.length + 2 + src.length <= limit) return [...body.slice(0, -1), `${last}\n\n${src}`];
  return [...body, ...splitMessage(src, limit)];
}
