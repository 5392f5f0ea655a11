/**
 * Plain-text rendering for Zalo (no markup, no buttons): the dialogue's replies as text with their
 * choices as numbered lines ("1. …", the resident types the number), a short numbered source
 * list and the footer saying what to type, split at Zalo's 2,000-character limit on paragraph and
 * sentence boundaries.
 */
import type { SourceRef } from "../../core/answering/answer-question.js";
import { DIALOGUE_TEXTS, type Reply } from "../../core/dialogue/index.js";
import { splitMessage } from "../split.js";
import { ZALO_TEXT_LIMIT } from "./client.js";

/**
 * "Nguồn:" and the sources, short: each document's title once, then its cited sections by their
 * number in the answer ([n]) and their last heading. Addresses are left out (they are long on a
 * phone screen); the console and the web page show them.
 */
export function renderSources(sources: readonly SourceRef[]): string {
  if (sources.length === 0) return "";
  const byTitle = new Map<string, string[]>();
  sources.forEach((s, i) => {
    const section = s.section.split(" › ").at(-1)?.trim() ?? "";
    const lines = byTitle.get(s.title) ?? [];
    lines.push(`[${i + 1}]${section ? ` ${section}` : ""}`);
    byTitle.set(s.title, lines);
  });
  const blocks = [...byTitle].map(([title, lines]) => (lines.length === 1 && lines[0] === "[1]" && byTitle.size === 1 ? title : `${title}\n${lines.join("\n")}`));
  return `${DIALOGUE_TEXTS.sourcesLabel} ${blocks.join("\n")}`;
}

/** Numbered choices, one per line ("1. Có"). */
export function renderOptions(options: ReadonlyArray<{ readonly label: string }>): string {
  return options.map((o, i) => `${i + 1}. ${o.label}`).join("\n");
}

/**
 * Text, sources and footer as messages of at most `limit` characters. The sources and the footer
 * ride on the last piece when they fit, so the choices are always the last thing the resident reads.
 */
export function renderMessages(text: string, sources: readonly SourceRef[] = [], footer = "", limit = ZALO_TEXT_LIMIT): string[] {
  const tail = [renderSources(sources), footer].filter(Boolean).join("\n\n");
  const body = splitMessage(text, limit);
  if (!tail) return body;
  const last = body[body.length - 1] ?? "";
  if (last.length + 2 + tail.length <= limit) return [...body.slice(0, -1), last ? `${last}\n\n${tail}` : tail];
  return [...body, ...splitMessage(tail, limit)];
}

/**
 * One reply as Zalo messages: the text, its primary choices as numbered lines when it lists them
 * (the numbers residents type; extras meant for buttons are left out), then the sources, the
 * note and the footer, last.
 */
export function renderReply(reply: Reply, limit = ZALO_TEXT_LIMIT): string[] {
  const listed = reply.list ? (reply.choices ?? []).filter((c) => !c.secondary) : [];
  const body = listed.length ? `${reply.text}${reply.text.endsWith(":") ? "\n" : "\n\n"}${renderOptions(listed)}` : reply.text;
  const footer = [reply.note, reply.footer].filter(Boolean).join("\n");
  return renderMessages(body, reply.sources ?? [], footer, limit);
}

/** Replies as Zalo messages, in order. */
export function renderReplies(replies: readonly Reply[]): string[] {
  return replies.flatMap((r) => renderReply(r));
}
