/**
 * Plain-text rendering for Zalo (no markup): the answer, a short numbered source list, and an
 * optional footer line with the numbered choices, split at Zalo's 2,000-character limit on
 * paragraph and sentence boundaries.
 */
import type { SourceRef } from "../../core/answering/answer-question.js";
import type { FlowOption } from "../../core/flows/types.js";
import { splitMessage } from "../split.js";
import { ZALO_TEXT_LIMIT } from "./client.js";

/** "Nguồn:" and one line per source: title › section, then the address when there is one. */
export function renderSources(sources: readonly SourceRef[]): string {
  if (sources.length === 0) return "";
  const lines = sources.map((s, i) => {
    const url = s.url && /^https?:\/\//.test(s.url) ? ` ${s.url}` : "";
    return `[${i + 1}] ${s.title}${s.section ? ` › ${s.section}` : ""}${url}`;
  });
  return `Nguồn:\n${lines.join("\n")}`;
}

/** Numbered choices, one per line ("1. Có"). */
export function renderOptions(options: readonly FlowOption[]): string {
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
