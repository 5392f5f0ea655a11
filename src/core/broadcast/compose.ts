/**
 * Composes a radio script from knowledge units without a language model: every fact read aloud is
 * a sentence of a cited knowledge unit (or FAQ answer), rewritten only in form for the ear (see
 * spoken.ts); the connecting phrases are fixed templates that state no facts of their own.
 */
import type { Chunk } from "../knowledge/chunk.js";
import type { Commune } from "../knowledge/communes.js";
import type { KnowledgeDoc } from "../knowledge/parse.js";
import { splitSentences } from "../text/sentences.js";
import { contentTokens, countWords, repeats, type Fact, type FactSource, type Item } from "./facts.js";
import { spellInteger, toSpoken } from "./spoken.js";
import type { SourceSpec } from "./topics.js";

export { countWords, type Fact, type FactSource, type Item } from "./facts.js";

// ---- what is not read on air -----------------------------------------------------------------

/**
 * Sentences that talk about the assistant or the document itself, or that report something
 * unverified, are for the staff's screen, not the loudspeaker.
 */
const NOT_ON_AIR = /trợ lý|tài liệu này|tài liệu của|xem thêm|xem ngay mục|chưa (?:được )?(?:xác minh|xác nhận)|mới (?:được )?xác minh|chưa có nguồn|không chính thức|trang thương mại|các nguồn viết trái nhau|có báo viết|một nguồn khác|hướng dẫn người dân hỏi|cán bộ xã hướng dẫn|dưới đây|ở trên|xem mục|mục \d/iu;
/** Sections that must not be read as current: superseded procedures, unverified points, signatures. */
const SECTION_NOT_ON_AIR = /quy trình cũ|chưa (?:được )?xác minh|nơi nhận|chữ ký|tin cũ/iu;
/** A document header line ("UỶ BAN NHÂN DÂN XÃ … — Số: —") is mostly capitals. */
function mostlyCapitals(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  const upper = text.match(/\p{Lu}/gu) ?? [];
  return letters.length > 0 && upper.length / letters.length > 0.5;
}

/** True when a sentence can be read aloud as a fact. */
export function onAir(sentence: string): boolean {
  const s = sentence.trim();
  if (countWords(s) < 4 || mostlyCapitals(s) || NOT_ON_AIR.test(s)) return false;
  // A lead-in that announces a list ("Bà con làm như sau:") says nothing once the list is cut.
  return !/:\s*$/.test(s);
}

const sectionMatches = (section: string, prefix: string) => prefix === "" || section === prefix || section.startsWith(prefix);
const topSection = (section: string) => section.split(" › ")[0] ?? "";

// ---- plan wording ----------------------------------------------------------------------------

/**
 * Plan units are written as the plan's own targets and tasks ("Tỷ lệ … đạt 95%"); on air, in
 * 2026, they must be heard as what the plan set out, so each gets a lead naming it as such.
 */
function planLead(section: string): string | null {
  const top = topSection(section).toUpperCase();
  if (/MỤC TIÊU/u.test(top)) return "Kế hoạch đặt mục tiêu:";
  if (/NHIỆM VỤ/u.test(top)) return "Kế hoạch nêu nhiệm vụ:";
  if (/GIẢI PHÁP/u.test(top)) return "Kế hoạch nêu giải pháp:";
  if (/KINH PHÍ/u.test(top)) return "Về kinh phí, kế hoạch nêu:";
  if (/TỔ CHỨC THỰC HIỆN/u.test(top)) {
    const who = section.split(" › ")[1]?.replace(/^\d+\.\s*/, "").trim();
    return who ? `Kế hoạch giao ${who}:` : "Về tổ chức thực hiện, kế hoạch nêu:";
  }
  return null;
}

/** Lower-cases the first letter of a sentence joined after a lead, unless it starts a name ("VNeID"). */
function continueAfterLead(sentence: string): string {
  const [first = "", second = ""] = [...sentence];
  return second && second === second.toLowerCase() ? first.toLowerCase() + sentence.slice(first.length) : sentence;
}

/** Upper-cases the first letter. */
export function capitalize(text: string): string {
  const [first = ""] = [...text];
  return first.toUpperCase() + text.slice(first.length);
}

function endSentence(text: string): string {
  const t = text.trim().replace(/[,;:]\s*$/, "");
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

// ---- building items --------------------------------------------------------------------------

const STEP = /^(\d{1,2})\.\s+/;

function sourceOf(chunk: Chunk, section = chunk.section): FactSource {
  return { docId: chunk.docId, title: chunk.title, section, url: chunk.url, asOf: chunk.asOf };
}

/** A sentence of knowledge text as a fact, or null when it is not for the air. */
function toFact(sentence: string, source: FactSource, lead: string | null, step: number | null): Fact | null {
  const original = sentence.trim();
  const text = original.replace(STEP, "").replace(/^[-•]\s+/, "");
  if (!onAir(text)) return null;
  // A plan's table rows read "Tỷ lệ …: 80%": said as "… đạt tám mươi phần trăm".
  const phrased = lead ? text.replace(/:\s*(?=\d)/u, " đạt ").replace(/:\s+/u, ", ") : text;
  let spoken = endSentence(toSpoken(phrased));
  if (countWords(spoken) < 3) return null;
  if (step !== null) spoken = `Bước ${spellInteger(step)}, ${continueAfterLead(spoken)}`;
  else if (lead) spoken = `${lead} ${continueAfterLead(spoken)}`;
  return { spoken: capitalize(spoken), original, source };
}

/** The sentences of a unit or FAQ answer, one per line and per sentence. */
function sentencesOf(text: string): string[] {
  return text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .flatMap((line) => (STEP.test(line) ? [line] : splitSentences(line)));
}

function unitItem(chunk: Chunk, plan: boolean): Item | null {
  const source = sourceOf(chunk);
  const lead = plan ? planLead(chunk.section) : null;
  const facts = sentencesOf(chunk.text)
    .map((s) => toFact(s, source, lead, null))
    .filter((f): f is Fact => f !== null);
  return facts.length ? { facts, group: `${chunk.docId}\u0000${topSection(chunk.section)}`, whole: false } : null;
}

/** Consecutive numbered units of one section ("1. Bà con tải…", "2. …") read as steps. */
function stepItem(chunks: readonly Chunk[]): Item | null {
  const facts: Fact[] = [];
  for (const chunk of chunks) {
    const n = Number(STEP.exec(chunk.text)?.[1]);
    const sentences = sentencesOf(chunk.text);
    const first = sentences[0];
    if (!first) continue;
    const fact = toFact(first, sourceOf(chunk), null, n);
    // A step that cannot be read would leave a gap in the procedure: drop the whole procedure.
    if (!fact) return null;
    facts.push(fact, ...sentences.slice(1).map((s) => toFact(s, sourceOf(chunk), null, null)).filter((f): f is Fact => f !== null));
  }
  const head = chunks[0];
  return facts.length && head ? { facts, group: `${head.docId}\u0000${topSection(head.section)}`, whole: true } : null;
}

function faqItem(chunk: Chunk): Item | null {
  const entry = chunk.faq;
  if (!entry) return null;
  const source = sourceOf(chunk, entry.question);
  const lines = sentencesOf(entry.answer);
  const hasSteps = lines.some((l) => STEP.test(l));
  const facts: Fact[] = [];
  for (const line of lines) {
    const n = STEP.exec(line)?.[1];
    const fact = toFact(line, source, null, n ? Number(n) : null);
    if (fact) facts.push(fact);
    else if (n) return null;
  }
  return facts.length ? { facts, group: `${chunk.docId}\u0000${entry.question}`, whole: hasSteps } : null;
}

export interface Candidates {
  readonly items: readonly Item[];
  /** Documents the items come from, in first-use order. */
  readonly docIds: readonly string[];
}

/**
 * The knowledge a script may read, in priority order: the units of each source spec (document
 * order inside a section), then FAQ answers that cite those documents. Chunks of another commune
 * are left out.
 */
export function gatherCandidates(input: {
  readonly specs: readonly SourceSpec[];
  readonly chunks: readonly Chunk[];
  readonly docs: readonly KnowledgeDoc[];
  readonly commune: Commune;
  /** FAQ chunks to put first (a free topic's own retrieval hits). */
  readonly faqFirst?: readonly Chunk[];
}): Candidates {
  const { commune } = input;
  const context = input.docs.find((d) => d.meta.kind === "context" && d.meta.commune === commune.id)?.meta.id;
  const resolve = (doc: string) => (doc === "$plan" ? commune.plan_id : doc === "$context" ? (context ?? null) : doc);
  const kinds = new Map(input.docs.map((d) => [d.meta.id, d.meta.kind]));
  const byDoc = new Map<string, Chunk[]>();
  for (const c of input.chunks) {
    if (c.commune !== null && c.commune !== commune.id) continue;
    const list = byDoc.get(c.docId);
    if (list) list.push(c);
    else byDoc.set(c.docId, [c]);
  }

  const items: Item[] = [];
  const used = new Set<string>();
  const docIds: string[] = [];
  const cited: Array<{ docId: string; prefixes: readonly string[] }> = [];
  const addItem = (item: Item | null) => {
    if (!item) return;
    items.push(item);
    for (const f of item.facts) if (!docIds.includes(f.source.docId)) docIds.push(f.source.docId);
  };
  for (const chunk of input.faqFirst ?? []) {
    if (used.has(chunk.id)) continue;
    used.add(chunk.id);
    addItem(faqItem(chunk));
  }

  for (const spec of input.specs) {
    const docId = resolve(spec.doc);
    const chunks = docId ? byDoc.get(docId) : undefined;
    if (!docId || !chunks) continue;
    const plan = kinds.get(docId) === "plan";
    const prefixes = spec.sections?.length ? spec.sections : [""];
    cited.push({ docId, prefixes });
    for (const prefix of prefixes) {
      const matching = chunks.filter(
        (c) =>
          !used.has(c.id) &&
          !c.faq &&
          sectionMatches(c.section, prefix) &&
          // The whole-document prefix "" takes only the text under the title, not every section.
          (prefix !== "" || spec.sections === undefined || c.section === "") &&
          !SECTION_NOT_ON_AIR.test(c.section) &&
          !(spec.skip ?? []).some((s) => sectionMatches(c.section, s)),
      );
      for (let i = 0; i < matching.length; i++) {
        const chunk = matching[i] as Chunk;
        used.add(chunk.id);
        if (STEP.test(chunk.text)) {
          const run = [chunk];
          while (i + 1 < matching.length && (matching[i + 1] as Chunk).section === chunk.section && STEP.test((matching[i + 1] as Chunk).text)) {
            run.push(matching[++i] as Chunk);
            used.add((run[run.length - 1] as Chunk).id);
          }
          addItem(run.length > 1 ? stepItem(run) : unitItem(chunk, plan));
        } else {
          addItem(unitItem(chunk, plan));
        }
      }
    }
  }

  // FAQ answers that rest on the same documents and sections: curated, in the residents' words.
  for (const chunk of input.chunks) {
    if (!chunk.faq || used.has(chunk.id) || (chunk.commune !== null && chunk.commune !== commune.id)) continue;
    const relevant = chunk.faq.cites.some((cite) =>
      cited.some(
        (c) =>
          c.docId === cite.docId &&
          (cite.section === null || c.prefixes.some((p) => sectionMatches(cite.section as string, p) || (p !== "" && (cite.section as string).startsWith(p.replace(/\.$/, ""))))),
      ),
    );
    if (!relevant) continue;
    used.add(chunk.id);
    addItem(faqItem(chunk));
  }
  return { items, docIds };
}

// ---- choosing what fits ----------------------------------------------------------------------

/** Notices of the documents used, as facts (a document's standing caveat, e.g. a programme that ended). */
export function noticeFacts(docIds: readonly string[], docs: readonly KnowledgeDoc[], chunks: readonly Chunk[]): Fact[] {
  const facts: Fact[] = [];
  const seen: Set<string>[] = [];
  for (const id of docIds) {
    const doc = docs.find((d) => d.meta.id === id);
    const notice = doc?.meta.notice;
    if (!doc || !notice) continue;
    const tokens = contentTokens(notice);
    if (repeats(tokens, seen)) continue;
    seen.push(tokens);
    const url = chunks.find((c) => c.docId === id && c.section === "")?.url ?? doc.meta.source.find((s) => s.url)?.url ?? null;
    const source: FactSource = { docId: id, title: doc.meta.title, section: "", url, asOf: doc.meta.as_of };
    for (const sentence of splitSentences(notice)) {
      // Notices are written to be shown under answers; "bà con hỏi …" is as right on air.
      facts.push({ spoken: capitalize(endSentence(toSpoken(sentence))), original: sentence, source });
    }
  }
  return facts;
}

