/**
 * Word (.docx) export of a script, for staff who print or edit it: the part read aloud, then the
 * "KHÔNG ĐỌC" block with the sources on a new page. Built with the `docx` package (no I/O).
 */
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from "docx";
import type { BroadcastScript } from "./types.js";
import { NOT_READ_HEADING, sourceDetails, sourceLabel } from "./render.js";

const FONT = "Times New Roman";

function para(text: string, options: { bold?: boolean; italics?: boolean; size?: number } = {}): Paragraph {
  return new Paragraph({
    spacing: { after: 160 },
    children: [new TextRun({ text, font: FONT, size: options.size ?? 28, bold: options.bold ?? false, italics: options.italics ?? false })],
  });
}

/** The script as a .docx file (bytes). */
export async function broadcastToDocx(script: BroadcastScript): Promise<Buffer> {
  const readAloud = [
    new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { after: 240 }, children: [new TextRun({ text: script.title, font: FONT, bold: true, size: 32 })] }),
    para(script.opening),
    ...script.body.map((p) => para(p)),
    para(script.callToAction, { bold: true }),
    para(script.closing),
  ];
  const notRead = [
    new Paragraph({ heading: HeadingLevel.HEADING_2, pageBreakBefore: true, children: [new TextRun({ text: NOT_READ_HEADING, font: FONT, bold: true, size: 26 })] }),
    ...(script.notes ?? []).map((n) => para(`• ${n}`, { size: 22, italics: true })),
    para("Nguồn:", { bold: true, size: 24 }),
    ...script.sources.flatMap((s) => [
      para(`[${s.n}] ${sourceLabel(s)}`, { bold: true, size: 22 }),
      para(sourceDetails(s), { size: 20 }),
      ...(s.quotes ?? []).map((q) => para(`“${q.replace(/\s*\n\s*/g, " ")}”`, { size: 20, italics: true })),
    ]),
  ];
  const doc = new Document({
    creator: "Trợ lý số xã",
    title: script.title,
    description: `Bản tin phát thanh: ${script.topic}`,
    sections: [{ children: [...readAloud, ...notRead] }],
  });
  return Packer.toBuffer(doc);
}
