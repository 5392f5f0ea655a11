/**
 * Plain-text and Markdown exports of a script: the part read aloud first, then a clearly separated
 * "KHÔNG ĐỌC" block with the sources and the notes for the staff member.
 */
import type { BroadcastScript, BroadcastSource } from "./types.js";

/** Heading of the block that is not read on air. */
export const NOT_READ_HEADING = "KHÔNG ĐỌC – NGUỒN VÀ GHI CHÚ CHO CÁN BỘ KIỂM TRA";

/** The paragraphs read aloud, in order. */
export function readAloudParts(script: BroadcastScript): string[] {
  return [script.title, script.opening, ...script.body, script.callToAction, script.closing];
}

/** "Title › Section" of a source ("phần đầu" for text under the title). */
export function sourceLabel(source: BroadcastSource): string {
  return `${source.title} › ${source.section || "phần đầu tài liệu"}`;
}

/** "Cập nhật …" and the address of a source, as one line. */
export function sourceDetails(source: BroadcastSource): string {
  return [source.url ? `Địa chỉ: ${source.url}` : "Địa chỉ: (không có, xem tài liệu gốc)", `Cập nhật: ${source.asOf}`].join(" · ");
}

/** The part read aloud, as plain text (paragraphs separated by blank lines). */
export function broadcastReadAloudText(script: BroadcastScript): string {
  return `${readAloudParts(script).join("\n\n")}\n`;
}

/** The "KHÔNG ĐỌC" block as plain text: notes for the staff member and numbered sources with quotes. */
export function broadcastSourcesText(script: BroadcastScript): string {
  const rule = "=".repeat(60);
  const lines = [
    rule,
    NOT_READ_HEADING,
    rule,
    ...(script.notes ?? []).map((n) => `* ${n}`),
    "",
    "Nguồn:",
    ...script.sources.flatMap((s) => [
      `[${s.n}] ${sourceLabel(s)}`,
      `    ${sourceDetails(s)}`,
      ...(s.quotes ?? []).map((q) => `    - "${q.replace(/\s*\n\s*/g, " ")}"`),
    ]),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The script as plain text: read-aloud part, then the clearly separated "KHÔNG ĐỌC" block. */
export function broadcastToText(script: BroadcastScript): string {
  return `${broadcastReadAloudText(script)}\n${broadcastSourcesText(script)}`;
}

/** Escapes characters Markdown would read as formatting. */
function md(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, "\\$1");
}

/** The script as Markdown: the title as heading, paragraphs, then the "KHÔNG ĐỌC" section. */
export function broadcastToMarkdown(script: BroadcastScript): string {
  const lines = [
    `# ${md(script.title)}`,
    "",
    md(script.opening),
    "",
    ...script.body.flatMap((p) => [md(p), ""]),
    `**${md(script.callToAction)}**`,
    "",
    md(script.closing),
    "",
    "---",
    "",
    `## ${NOT_READ_HEADING}`,
    "",
    ...(script.notes ?? []).map((n) => `- ${md(n)}`),
    "",
    "### Nguồn",
    "",
    ...script.sources.flatMap((s) => [
      `${s.n}. **${md(sourceLabel(s))}**  `,
      `   ${s.url ? `Địa chỉ: <${s.url}>` : "Địa chỉ: (không có, xem tài liệu gốc)"} · Cập nhật: ${s.asOf}`,
      ...(s.quotes ?? []).map((q) => `   > ${md(q.replace(/\s*\n\s*/g, " "))}`),
      "",
    ]),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}
