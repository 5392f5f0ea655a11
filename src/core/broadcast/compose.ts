/**
 * Composes a radio script from knowledge units without a language model: every fact read aloud is
 * a sentence of a cited knowledge unit (or FAQ answer), rewritten only in form for the ear (see
 * spoken.ts); the connecting phrases are fixed templates that state no facts of their own.
 */
import type { Chunk } from "../knowledge/chunk.js";
import type { Commune } from "../knowledge/communes.js";
import type { KnowledgeDoc } from "../knowledge/parse.js";
import { splitSentences } from "../text/sentences.js";
import { fold, tokenize } from "../text/normalize.js";
import { spellInteger, toSpoken } from "./spoken.js";
import type { SourceSpec } from "./topics.js";

/** Where a fact was read from. */
export interface FactSource {
  readonly docId: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
  readonly asOf: string;
}

/** One sentence to read, with the knowledge text it was made from. */
export interface Fact {
  readonly spoken: string;
  readonly original: string;
  readonly source: FactSource;
}

/** A selectable piece of a script: one knowledge unit (or FAQ answer), one or more sentences. */
export interface Item {
  readonly facts: readonly Fact[];
  /** Groups consecutive items into one paragraph (same document and top-level section). */
  readonly group: string;
  /** Steps of a procedure are read whole or not at all. */
  readonly whole: boolean;
}

/** Counts the words (Vietnamese syllables) a reader says. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const itemWords = (item: Item) => item.facts.reduce((n, f) => n + countWords(f.spoken), 0);

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

function contentTokens(text: string): Set<string> {
  return new Set(tokenize(fold(text)).filter((t) => t.length > 1));
}

/** True when `a` says nearly what one of `seen` already says (FAQ answers restate passages). */
function repeats(a: Set<string>, seen: readonly Set<string>[]): boolean {
  for (const b of seen) {
    let common = 0;
    for (const t of a) if (b.has(t)) common++;
    const smaller = Math.min(a.size, b.size) || 1;
    if (common / smaller >= 0.8 || common / (a.size + b.size - common || 1) >= 0.6) return true;
  }
  return false;
}

/** Words of knowledge a sentence's facts and a prefix of an item may add. */
function prefixFitting(item: Item, room: number): Item | null {
  if (item.whole) return itemWords(item) <= room ? item : null;
  const facts: Fact[] = [];
  let words = 0;
  for (const f of item.facts) {
    const w = countWords(f.spoken);
    if (words + w > room) break;
    facts.push(f);
    words += w;
  }
  return facts.length ? { ...item, facts } : null;
}

/**
 * Picks items in priority order until the body reaches `target` words (within `slack`), skipping
 * items that repeat what is already chosen (or `alreadySaid`) or do not fit; an item may contribute its first sentences.
 */
export function selectItems(items: readonly Item[], target: number, slack: number, exclude: ReadonlySet<string>, alreadySaid: readonly string[] = []): Item[] {
  const chosen: Item[] = [];
  const seen: Set<string>[] = alreadySaid.map(contentTokens);
  let words = 0;
  for (const item of items) {
    if (words >= target - slack) break;
    const fresh = item.facts.filter((f) => !exclude.has(f.original) && !repeats(contentTokens(f.original), seen));
    if (fresh.length === 0 || (item.whole && fresh.length !== item.facts.length)) continue;
    const candidate = prefixFitting({ ...item, facts: fresh }, target + slack - words);
    if (!candidate) continue;
    chosen.push(candidate);
    for (const f of candidate.facts) seen.push(contentTokens(f.original));
    words += itemWords(candidate);
  }
  return chosen;
}

/** A whole-word pattern: JavaScript's \b does not see Vietnamese letters ("hộ", "đến") as word characters. */
function words(alternatives: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, "iu");
}

/** Knowledge sentences that tell residents what to do, what to bring or whom to ask. */
const ACTION = words("mang|hỏi|liên hệ|gọi|đến|trình báo|phản ánh|đăng ký|kiểm tra|cúp máy");
/** Said to residents: "bà con …", or a sentence about what a resident does ("Người bị lừa …", "Hộ …"). */
const ADDRESSED = /(?<![\p{L}\p{N}])bà con(?![\p{L}\p{N}])|^(?:người dân|người bị lừa|người|hộ|khách hàng|ai|khi)(?![\p{L}\p{N}])/iu;
const BRING = words("mang");
const ASK = words("hỏi|liên hệ");
const REPORT = words("gọi|trình báo|phản ánh|cúp máy");

const REGISTER = words("đăng ký|nộp");
const PLACE = words("ủy ban nhân dân xã|công an xã|cửa hàng|nhà mạng|tổ công nghệ số cộng đồng|ngân hàng");

/**
 * Chooses up to `count` call-to-action facts, each adding something the others do not say: what
 * to bring, where to register, whom to ask, what to do when in doubt.
 */
export function selectCallToAction(items: readonly Item[], count: number): Fact[] {
  const all = items.flatMap((i) => i.facts);
  const scored: Array<{ fact: Fact; score: number; order: number; kinds: Set<string> }> = [];
  all.forEach((fact, order) => {
    const t = fact.original;
    if (!ACTION.test(t) || !ADDRESSED.test(t) || /^Bước/u.test(fact.spoken) || countWords(fact.spoken) > 45) return;
    const kinds = new Set<string>();
    let score = 0;
    const kind = (pattern: RegExp, name: string, points: number) => {
      if (!pattern.test(t)) return;
      score += points;
      kinds.add(name);
    };
    kind(BRING, "bring", 3);
    kind(REGISTER, "register", 2);
    kind(ASK, "ask", 2);
    kind(REPORT, "report", 1);
    if (PLACE.test(t)) score += 1;
    // Facts from the topic's first sources are the most on topic.
    if (order < all.length / 3) score += 1;
    scored.push({ fact, score, order, kinds });
  });
  const picked: typeof scored = [];
  const covered = new Set<string>();
  const seen: Set<string>[] = [];
  while (picked.length < count) {
    let best: (typeof scored)[number] | null = null;
    let bestValue = -Infinity;
    for (const c of scored) {
      if (picked.includes(c) || repeats(contentTokens(c.fact.original), seen)) continue;
      // Saying again what another chosen sentence says counts against a sentence.
      const value = c.score - 2 * [...c.kinds].filter((k) => covered.has(k)).length;
      if (value > bestValue || (value === bestValue && best && c.order < best.order)) {
        best = c;
        bestValue = value;
      }
    }
    if (!best) break;
    picked.push(best);
    for (const k of best.kinds) covered.add(k);
    seen.push(contentTokens(best.fact.original));
  }
  // Read in the order the knowledge gives them.
  return picked.sort((a, b) => a.order - b.order).map((c) => c.fact);
}

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
