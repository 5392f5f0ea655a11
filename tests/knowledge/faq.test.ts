import { describe, expect, it } from "vitest";
import { chunkDocument, type Chunk } from "../../src/core/knowledge/chunk.js";
import { parseKnowledgeFile, type KnowledgeDoc } from "../../src/core/knowledge/parse.js";
import { hasNoDiacritics } from "../../src/core/text/normalize.js";
import { detectLanguage } from "../../src/core/understanding/language.js";
import { readKnowledgeFolder } from "../../src/storage/knowledge-folder.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

// These tests read the real knowledge folder: they are the gate for what officials and writers add.
const folder = await readKnowledgeFolder(KNOWLEDGE_DIR);
const docs: KnowledgeDoc[] = folder.documents.map(parseKnowledgeFile);
const byId = new Map(docs.map((d) => [d.meta.id, d]));
const chunksOf = new Map<string, Chunk[]>(docs.map((d) => [d.meta.id, chunkDocument(d)]));
const faqDocs = docs.filter((d) => d.meta.kind === "faq");
const entries = faqDocs.flatMap((d) =>
  (chunksOf.get(d.meta.id) ?? []).flatMap((c) => (c.faq ? [{ doc: d, entry: c.faq }] : [])),
);

/** Numbers as written in Vietnamese text: 500.000 · 12/12/2022 · 1,5 · 113 · 16/9 · 0h. */
const NUMBER = /\d+(?:[.,/]\d+)*/g;

/** Network generations ("2G", "4G/5G") are names, checked as words rather than as numbers. */
const NETWORK = /\b[2-5]G\b/gi;

function numbersIn(text: string): string[] {
  return [...new Set(text.replace(NETWORK, " ").match(NUMBER) ?? [])];
}

function networksIn(text: string): string[] {
  return [...new Set((text.match(NETWORK) ?? []).map((n) => n.toUpperCase()))];
}

/** True when `num` occurs in `text` as a whole number (not inside a longer one). */
function occursIn(num: string, text: string): boolean {
  const escaped = num.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(?<![\\d.,/])${escaped}(?![\\d]|[.,/]\\d)`).test(text);
}

describe("every knowledge file", () => {
  it("should have front matter with at least one named source", () => {
    expect(docs.length).toBeGreaterThan(20);
    for (const doc of docs) {
      expect(doc.meta.source.length, doc.path).toBeGreaterThan(0);
      for (const s of doc.meta.source) expect(s.name.length, doc.path).toBeGreaterThan(2);
    }
  });

  it("should have a unique id", () => {
    expect(new Set(docs.map((d) => d.meta.id)).size).toBe(docs.length);
  });
});

describe("the FAQ", () => {
  it("should hold at least 120 entries, including the officials' own file", () => {
    expect(entries.length).toBeGreaterThanOrEqual(120);
    expect(faqDocs.some((d) => d.path === "faq/cua-can-bo-xa.md")).toBe(true);
  });

  it("should give each entry 2–12 other phrasings, one of them typed without diacritics", () => {
    for (const { doc, entry } of entries) {
      const where = `${doc.path} › ${entry.question}`;
      expect(entry.paraphrases.length, where).toBeGreaterThanOrEqual(2);
      expect(entry.paraphrases.length, where).toBeLessThanOrEqual(12);
      expect(entry.paraphrases.some(hasNoDiacritics), where).toBe(true);
    }
  });

  it("should keep each answer short (about 80 words) and say what to do next", () => {
    for (const { doc, entry } of entries) {
      const where = `${doc.path} › ${entry.question}`;
      const words = entry.answer.split(/\s+/).filter(Boolean).length;
      expect(words, where).toBeLessThanOrEqual(85);
      expect(entry.next, `${where}: no "Tiếp theo:" line`).toBeTruthy();
    }
  });

  it("should ask English questions in the English file, and Vietnamese ones elsewhere", () => {
    for (const { doc, entry } of entries) {
      expect(detectLanguage(entry.question), `${doc.path} › ${entry.question}`).toBe(doc.meta.lang);
    }
  });

  it("should cite existing knowledge documents and sections", () => {
    for (const { doc, entry } of entries) {
      const where = `${doc.path} › ${entry.question}`;
      expect(entry.cites.length, where).toBeGreaterThan(0);
      // Only entries staff save from the console name an office instead of a document.
      if (doc.path !== "faq/cua-can-bo-xa.md") expect(entry.office, `${where}: "Nguồn:" names something that is not a document id`).toBeUndefined();
      for (const cite of entry.cites) {
        const cited = byId.get(cite.docId);
        expect(cited, `${where}: unknown document ${cite.docId}`).toBeDefined();
        expect(cited?.meta.kind, `${where}: cites another FAQ`).not.toBe("faq");
        if (cite.section) {
          const sections = (chunksOf.get(cite.docId) ?? []).map((c) => c.section);
          const found = sections.some((s) => s === cite.section || s.startsWith(`${cite.section} › `));
          expect(found, `${where}: no section "${cite.section}" in ${cite.docId}`).toBe(true);
        }
      }
    }
  });

  it("should state only numbers that occur in a cited knowledge file", () => {
    const missing: string[] = [];
    for (const { doc, entry } of entries) {
      const cited = entry.cites.map((c) => byId.get(c.docId)?.body ?? "").join("\n");
      for (const num of numbersIn(entry.answer)) {
        if (!occursIn(num, cited.replace(NETWORK, " "))) missing.push(`${doc.path} › ${entry.question}: ${num}`);
      }
      const citedNetworks = new Set(networksIn(cited));
      for (const net of networksIn(entry.answer)) {
        if (!citedNetworks.has(net)) missing.push(`${doc.path} › ${entry.question}: ${net}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("should never put a date already past in the future tense ('sẽ')", () => {
    const today = new Date("2026-12-07");
    const past: string[] = [];
    for (const doc of docs) {
      for (const chunk of chunksOf.get(doc.meta.id) ?? []) {
        const text = chunk.faq ? `${chunk.faq.answer}\n${chunk.faq.next ?? ""}` : chunk.text;
        for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
          if (!/(^|\s)sẽ\s/u.test(sentence)) continue;
          for (const m of sentence.matchAll(/\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g)) {
            if (new Date(Number(m[3]), Number(m[2]) - 1, Number(m[1])) < today) past.push(`${doc.path}: ${sentence.slice(0, 120)}`);
          }
        }
      }
    }
    expect(past).toEqual([]);
  });

  it("should not repeat a question", () => {
    const questions = entries.map((e) => e.entry.question.toLowerCase());
    expect(new Set(questions).size).toBe(questions.length);
  });
});

describe("the number check itself", () => {
  it("should find whole numbers only", () => {
    expect(numbersIn("Hỗ trợ 500.000 đồng từ 12/12/2022, gọi 113 hoặc 114.")).toEqual(["500.000", "12/12/2022", "113", "114"]);
    expect(numbersIn("Phủ sóng 4G/5G đạt 100%")).toEqual(["100"]);
    expect(networksIn("Phủ sóng 4G/5G, tắt 2g")).toEqual(["4G", "5G", "2G"]);
    expect(occursIn("500.000", "mức 500.000 đồng")).toBe(true);
    expect(occursIn("50", "mức 500.000 đồng")).toBe(false);
    expect(occursIn("12/2022", "ngày 12/12/2022")).toBe(false);
    expect(occursIn("70", "đạt 70Mb/s.")).toBe(true);
    expect(occursIn("10", "trên 10 triệu đồng")).toBe(true);
  });

  it("should be a parse of real documents", () => {
    // Guard against the FAQ tests passing vacuously on an empty parse.
    const sample = parseKnowledgeFile({
      path: "faq/x.md",
      text: "---\nid: x\ntitle: Hỏi đáp\nkind: faq\nas_of: 2026-11-01\ntopics: [x]\nsource: {name: Nguồn thử, url: null, date: null}\n---\n\n## Hỏi gì?\n\n- Hỏi gì vậy?\n- hoi gi\n\nTrả lời 113.\n\nNguồn: ke-hoach-ha-tang-so-cong-hoa-2025\n",
    });
    const [chunk] = chunkDocument(sample);
    expect(chunk?.faq).toEqual({ question: "Hỏi gì?", paraphrases: ["Hỏi gì vậy?", "hoi gi"], answer: "Trả lời 113.", cites: [{ docId: "ke-hoach-ha-tang-so-cong-hoa-2025", section: null }] });
  });
});
