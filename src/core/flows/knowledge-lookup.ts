/**
 * Quoting knowledge for guided flows: a KnowledgeLookup over the engine's chunks, and helpers that
 * pick exact units from a section and lay them out as a cited reply, plus the step/reply shapes
 * both flows share. Flows never write facts themselves; everything they state comes through here.
 */
import type { SourceRef } from "../answering/answer-question.js";
import { AppError } from "../errors.js";
import type { Chunk } from "../knowledge/chunk.js";
import type { FlowOption, FlowReply, FlowResult, KnowledgeLookup } from "./types.js";

const PATH_SEPARATOR = " › ";

/** Canonical heading path: NFC, each heading trimmed, joined with " › ". */
function normalizeSection(section: string): string {
  return section
    .normalize("NFC")
    .split("›")
    .map((part) => part.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join(PATH_SEPARATOR);
}

/**
 * A KnowledgeLookup over the chunks of a loaded knowledge base. A section matches itself and its
 * sub-sections (heading-path prefix, never a partial heading); "" matches the whole document.
 * Throws AppError KNOWLEDGE_INVALID when the document or the section does not exist.
 */
export function createKnowledgeLookup(chunks: readonly Chunk[]): KnowledgeLookup {
  const byDoc = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const list = byDoc.get(chunk.docId);
    if (list) list.push(chunk);
    else byDoc.set(chunk.docId, [chunk]);
  }
  return {
    section(docId, section) {
      const doc = byDoc.get(docId);
      if (!doc) throw new AppError("KNOWLEDGE_INVALID", `flow lookup: document "${docId}" does not exist`);
      const wanted = normalizeSection(section);
      const matched = doc.filter((chunk) => {
        const own = normalizeSection(chunk.section);
        return wanted === "" || own === wanted || own.startsWith(wanted + PATH_SEPARATOR);
      });
      const first = matched.find((chunk) => normalizeSection(chunk.section) === wanted) ?? matched[0];
      if (!first) throw new AppError("KNOWLEDGE_INVALID", `flow lookup: document "${docId}" has no section "${wanted}"`);
      return {
        units: matched.map((chunk) => chunk.text),
        source: { id: docId, title: first.title, section: wanted, url: first.url },
      };
    },
  };
}

/** One knowledge unit quoted verbatim, with the section it comes from. */
export interface Quote {
  readonly text: string;
  readonly source: SourceRef;
}

/**
 * The units of `section` that contain each of `needles` (one unit per needle, in the needles'
 * order). A needle only selects a unit; what is shown is the unit's own text. Throws AppError
 * KNOWLEDGE_INVALID when a needle matches no unit or more than one, so an edited knowledge file
 * breaks flows at load time (and in tests), not in front of a resident.
 */
export function quoteUnits(lookup: KnowledgeLookup, docId: string, section: string, needles: readonly string[]): Quote[] {
  const { units, source } = lookup.section(docId, section);
  return needles.map((needle) => {
    const wanted = needle.normalize("NFC");
    const hits = units.filter((unit) => unit.normalize("NFC").includes(wanted));
    if (hits.length !== 1) {
      throw new AppError(
        "KNOWLEDGE_INVALID",
        `flow quote: "${needle}" matches ${hits.length} units in ${docId} › ${source.section} (expected exactly 1)`,
      );
    }
    return { text: hits[0] as string, source };
  });
}

/** A short connecting phrase written by the flow, followed by quoted units. */
export interface QuoteGroup {
  readonly heading: string;
  readonly quotes: readonly Quote[];
}

// A list unit keeps its ordinal ("3. Nếu chưa biết…", "Bước 3: Bà con mang…"); out of its list the
// number means nothing to the reader, so only that marker is dropped, never any wording.
const UNIT_MARKER = /^(?:\d{1,2}\.\s+|Bước\s+\d{1,2}\s*:\s*)/u;

/** A unit's text as shown in a flow reply: the knowledge's own words without its list marker. */
export function displayUnit(text: string): string {
  return text.replace(UNIT_MARKER, "");
}

function sourceKey(source: SourceRef): string {
  return `${source.id}\u0000${source.section}`;
}

/**
 * Lays out an intro line, groups of quotes ("- unit [n]") and an optional closing line as plain
 * text; `[n]` points to the n-th entry of `sources` (distinct document sections, first use first).
 */
export function composeQuoted(parts: { intro: string; groups: readonly QuoteGroup[]; outro?: string }): {
  text: string;
  sources: SourceRef[];
} {
  const sources: SourceRef[] = [];
  const index = new Map<string, number>();
  const blocks = [parts.intro];
  for (const group of parts.groups) {
    if (!group.quotes.length) continue;
    const lines = group.quotes.map((quote) => {
      const key = sourceKey(quote.source);
      let n = index.get(key);
      if (n === undefined) {
        sources.push(quote.source);
        n = sources.length;
        index.set(key, n);
      }
      return `- ${displayUnit(quote.text)} [${n}]`;
    });
    blocks.push([group.heading, ...lines].join("\n"));
  }
  if (parts.outro) blocks.push(parts.outro);
  return { text: blocks.join("\n\n"), sources };
}

/** One step of a flow: the question and its choices. */
export interface StepDef {
  readonly question: string;
  readonly options: readonly FlowOption[];
}

/** Asks `step` of flow `flowId`: the state that waits for its answer and the question as reply. */
export function askStep(flowId: string, step: string, def: StepDef, answers: Readonly<Record<string, string>>, now: number, prefix?: string): FlowResult {
  return {
    state: { flow: flowId, step, answers, updatedAt: now },
    reply: {
      text: prefix ? `${prefix}\n\n${def.question}` : def.question,
      options: def.options.map(({ id, label }) => ({ id, label })),
      sources: [],
    },
  };
}

/** A flow's final reply: an intro, quoted groups, an optional closing line; no options. */
export function finalReply(intro: string, groups: readonly QuoteGroup[], outro?: string): FlowReply {
  const { text, sources } = composeQuoted(outro ? { intro, groups, outro } : { intro, groups });
  return { text, options: [], sources };
}
