import { Lexer, type Token, type Tokens } from "marked";
import type { KnowledgeDoc } from "./parse.js";
import type { DocKind } from "./schema.js";
import { splitSentences } from "../text/sentences.js";

/** Bump when chunking changes, so saved indexes are rebuilt. */
export const CHUNKER_VERSION = 10;

/** A reference from an FAQ entry to the knowledge it rests on: a document id and optional section. */
export interface Citation {
  readonly docId: string;
  readonly section: string | null;
}

/** A curated question–answer pair (from a `kind: faq` file). */
export interface FaqEntry {
  readonly question: string;
  readonly paraphrases: readonly string[];
  /** The answer body: its first sentence answers the question as asked. */
  readonly answer: string;
  readonly cites: readonly Citation[];
  /**
   * A source in the "Nguồn:" line that is not a knowledge document: who answered, e.g. "Ủy ban
   * nhân dân xã Cộng Hòa, trả lời của cán bộ, 22/11/2026" (staff entries). Cited without a link.
   */
  readonly office?: string | null;
  /** The "Tiếp theo:" ("Next:") line: what to do next and who helps; null when the entry has none. */
  readonly next?: string | null;
  /** The entry's own "Cập nhật:" date (YYYY-MM-DD), when newer than the file's `as_of`. */
  readonly asOf?: string | null;
}

/** The smallest retrievable and quotable unit of knowledge, with its citation path. */
export interface Chunk {
  /** Stable id: `<doc id>#<ordinal>`. */
  readonly id: string;
  readonly docId: string;
  readonly kind: DocKind;
  readonly commune: string | null;
  readonly title: string;
  readonly shortTitle: string;
  /** Headings under the title, outermost first ("II. MỤC TIÊU ĐẾN NĂM 2025", "1. Mạng …"). */
  readonly headings: readonly string[];
  /** `headings` joined with " › " (empty for text directly under the title). */
  readonly section: string;
  /** Display text of the unit (plain text, Markdown emphasis removed). */
  readonly text: string;
  /** Text that is indexed: title, section and the unit (or the FAQ questions). */
  readonly searchText: string;
  /** URL of the section's own source (its "Nguồn:" line), else the document's first source URL. */
  readonly url: string | null;
  /** The "Nguồn: …" line that covers this unit's section, if the document gives one. */
  readonly sourceNote: string | null;
  readonly asOf: string;
  /** The document's standing caveat (front matter `notice`), shown under answers quoted from it. */
  readonly notice: string | null;
  /** Language of the document ("vi" unless its front matter says `lang: en`). */
  readonly lang: "vi" | "en";
  readonly faq?: FaqEntry;
}

/** Paragraphs longer than this are split into sentence windows so each unit stays quotable. */
const MAX_UNIT_CHARS = 700;
const WINDOW_CHARS = 450;

/** Removes inline Markdown (emphasis, code, links) from a line, keeping link targets visible. */
export function stripInlineMarkdown(md: string): string {
  return md
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, url: string) => (text === url ? url : `${text} (${url})`))
    .replace(/<(https?:\/\/[^>]+)>/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^\p{L}\p{N}*])\*(\S(?:.*?\S)?)\*(?![\p{L}\p{N}*])/gu, "$1$2")
    .replace(/(^|[^\p{L}\p{N}_])_(\S(?:.*?\S)?)_(?![\p{L}\p{N}_])/gu, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, "$1")
    .replace(/[ \t]+\n/g, "\n")
    .trim();
}

function listItemText(item: Tokens.ListItem, ordinal: number | null): string {
  const lines = item.text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => stripInlineMarkdown(l.replace(/^[-*+]\s+/, "- ")));
  const text = lines.join("\n");
  return ordinal === null ? text : `${ordinal}. ${text}`;
}

function tableRows(table: Tokens.Table): string[] {
  const header = table.header.map((c) => stripInlineMarkdown(c.text));
  return table.rows.map((row) =>
    row
      .map((cell, i) => {
        const value = stripInlineMarkdown(cell.text);
        const name = header[i];
        return name ? `${name}: ${value}` : value;
      })
      .filter((s) => !/:\s*$/.test(s))
      .join("; "),
  );
}

function windows(text: string): string[] {
  if (text.length <= MAX_UNIT_CHARS) return [text];
  const out: string[] = [];
  let current = "";
  for (const sentence of splitSentences(text)) {
    if (current && current.length + sentence.length + 1 > WINDOW_CHARS) {
      out.push(current);
      current = sentence;
    } else {
      current = current ? `${current} ${sentence}` : sentence;
    }
  }
  if (current) out.push(current);
  return out;
}

const DOC_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Parses the `Nguồn:` line of an FAQ entry: `doc-id › section; other-id`. A part that is not a
 * document id ("Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, 22/11/2026") names who answered.
 */
function parseCites(line: string): { cites: Citation[]; office: string[] } {
  const cites: Citation[] = [];
  const office: string[] = [];
  for (const part of line.replace(/^nguồn\s*:\s*/i, "").split(";").map((p) => p.trim()).filter(Boolean)) {
    const [docId, ...rest] = part.split("›").map((s) => s.trim());
    if (DOC_ID.test(docId as string)) cites.push({ docId: docId as string, section: rest.length ? rest.join(" › ") : null });
    else office.push(part.replace(/\s+/g, " "));
  }
  return { cites, office };
}

interface Unit {
  headings: string[];
  text: string;
  faq?: FaqEntry;
  sourceNote?: string;
}

const SOURCE_LINE = /^nguồn\s*:/i;
const NEXT_LINE = /^(?:tiếp theo|next)\s*:\s*/i;
const UPDATED_LINE = /^cập nhật\s*:\s*(\d{4}-\d{2}-\d{2})\s*$/i;

function structuralUnits(tokens: Token[], title: string): Unit[] {
  const units: Unit[] = [];
  const stack: Array<{ depth: number; text: string; note?: string }> = [];
  const path = () => stack.map((h) => h.text);
  // A "Nguồn: …" paragraph cites the sources of its section (and sub-sections); it is not a
  // retrievable unit itself.
  let docNote: string | undefined;
  const note = () => [...stack].reverse().find((h) => h.note)?.note ?? docNote;
  const push = (text: string) => {
    const n = note();
    units.push({ headings: path(), text, ...(n ? { sourceNote: n } : {}) });
  };
  const visit = (list: Token[]) => {
    for (const token of list) {
      switch (token.type) {
        case "heading": {
          const h = token as Tokens.Heading;
          if (h.depth === 1) {
            stack.length = 0;
            break;
          }
          while (stack.length && (stack[stack.length - 1] as { depth: number }).depth >= h.depth) stack.pop();
          stack.push({ depth: h.depth, text: stripInlineMarkdown(h.text) });
          break;
        }
        case "paragraph": {
          const text = stripInlineMarkdown((token as Tokens.Paragraph).text).replace(/\s*\n\s*/g, " ");
          if (SOURCE_LINE.test(text)) {
            const top = stack[stack.length - 1];
            if (top) top.note = text;
            else docNote = text;
            break;
          }
          for (const w of windows(text)) push(w);
          break;
        }
        case "list": {
          const l = token as Tokens.List;
          const start = typeof l.start === "number" ? l.start : 1;
          l.items.forEach((item, i) => {
            const text = listItemText(item, l.ordered ? start + i : null);
            for (const w of windows(text)) push(w);
          });
          break;
        }
        case "table":
          for (const row of tableRows(token as Tokens.Table)) push(row);
          break;
        case "blockquote":
          visit((token as Tokens.Blockquote).tokens);
          break;
        default:
          break;
      }
    }
  };
  visit(tokens);
  return mergeSignatures(units, title);
}

/** "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH": the signer's capacity in an administrative document. */
const SIGNER_ROLE = /^(?:(?:TM|KT|TL|TUQ|Q)\.\s+\S.*|(?:PHÓ\s+)?CHỦ\s+TỊCH)$/u;
/** A person's name: two to five capitalised words, nothing else. */
const PERSON_NAME = /^(?:\p{Lu}\p{Ll}*)(?:\s+\p{Lu}\p{Ll}*){1,4}$/u;

/**
 * An administrative document ends with its signature block, one short line each: the signer's
 * capacity ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") and the name. Alone, none of those lines answers "ai
 * ký kế hoạch"; merged into one sentence with the document's title they do, in the document's own words.
 */
function mergeSignatures(units: Unit[], title: string): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < units.length; i++) {
    const roles: string[] = [];
    let j = i;
    while (j < units.length && SIGNER_ROLE.test((units[j] as Unit).text) && sameSection(units[j] as Unit, units[i] as Unit)) {
      roles.push((units[j] as Unit).text);
      j++;
    }
    const name = units[j];
    if (roles.length && name && sameSection(name, units[i] as Unit) && PERSON_NAME.test(name.text)) {
      out.push({ ...name, text: `${title} do ${name.text} ký (${roles.join(", ")}).` });
      i = j;
    } else {
      out.push(units[i] as Unit);
    }
  }
  return out;
}

function sameSection(a: Unit, b: Unit): boolean {
  return a.headings.join("\u0000") === b.headings.join("\u0000");
}

/**
 * FAQ files: each `##` heading is a question; list items under it are paraphrases, paragraphs
 * are the answer, and a paragraph starting with "Nguồn:" lists the cited documents.
 */
function faqUnits(tokens: Token[]): Unit[] {
  const units: Unit[] = [];
  type Draft = { question: string; paraphrases: string[]; answer: string[]; cites: Citation[]; office: string[]; next: string | null; asOf: string | null };
  let current: Draft | null = null;
  const flush = () => {
    if (current && current.answer.length) {
      const entry: FaqEntry = {
        question: current.question,
        paraphrases: current.paraphrases,
        answer: current.answer.join("\n\n"),
        cites: current.cites,
        ...(current.office.length ? { office: current.office.join("; ") } : {}),
        ...(current.next ? { next: current.next } : {}),
        ...(current.asOf ? { asOf: current.asOf } : {}),
      };
      units.push({ headings: [current.question], text: entry.answer, faq: entry });
    }
    current = null;
  };
  for (const token of tokens) {
    if (token.type === "heading" && (token as Tokens.Heading).depth === 2) {
      flush();
      current = { question: stripInlineMarkdown((token as Tokens.Heading).text), paraphrases: [], answer: [], cites: [], office: [], next: null, asOf: null };
      continue;
    }
    if (!current) continue;
    const entry = current as Draft;
    if (token.type === "list") {
      const l = token as Tokens.List;
      if (entry.answer.length === 0) {
        for (const item of l.items) entry.paraphrases.push(stripInlineMarkdown(item.text));
      } else {
        entry.answer.push(l.items.map((item, i) => listItemText(item, l.ordered ? (Number(l.start) || 1) + i : null)).map((t) => (l.ordered ? t : `- ${t}`)).join("\n"));
      }
    } else if (token.type === "paragraph") {
      const text = stripInlineMarkdown((token as Tokens.Paragraph).text);
      const updated = UPDATED_LINE.exec(text);
      if (SOURCE_LINE.test(text)) {
        const { cites, office } = parseCites(text);
        entry.cites.push(...cites);
        entry.office.push(...office);
      } else if (NEXT_LINE.test(text)) entry.next = text.replace(NEXT_LINE, "").replace(/\s*\n\s*/g, " ").trim() || null;
      else if (updated) entry.asOf = updated[1] as string;
      else entry.answer.push(text);
    }
  }
  flush();
  return units;
}

/** Splits a parsed document into chunks along its own structure (headings, lists, tables, FAQ entries). */
export function chunkDocument(doc: KnowledgeDoc): Chunk[] {
  const { meta } = doc;
  const tokens = new Lexer().lex(doc.body);
  const units = meta.kind === "faq" ? faqUnits(tokens) : structuralUnits(tokens, meta.title);
  const shortTitle = meta.short_title ?? meta.title;
  const url = meta.source.find((s) => s.url)?.url ?? null;
  return units.map((unit, i) => {
    const section = unit.headings.join(" › ");
    const searchText = unit.faq
      ? [unit.faq.question, ...unit.faq.paraphrases].join("\n")
      : [meta.title, section, unit.text].filter(Boolean).join("\n");
    return {
      id: `${meta.id}#${i + 1}`,
      docId: meta.id,
      kind: meta.kind,
      commune: meta.commune ?? null,
      title: meta.title,
      shortTitle,
      headings: unit.headings,
      section,
      text: unit.text,
      searchText,
      // A section that names its own sources links to them only (null if they have no URL).
      url: unit.sourceNote ? (unit.sourceNote.match(/https?:\/\/[^\s);,]+/)?.[0] ?? null) : url,
      sourceNote: unit.sourceNote ?? null,
      asOf: meta.as_of,
      notice: meta.notice ?? null,
      lang: meta.lang,
      ...(unit.faq ? { faq: unit.faq } : {}),
    };
  });
}
