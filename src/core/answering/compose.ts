import type { Chunk } from "../knowledge/chunk.js";
import type { RetrievalHit } from "../retrieval/hybrid.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import { splitSentences } from "../text/sentences.js";
import { fold } from "../text/normalize.js";

/** A sentence (or list item) chosen to answer, with the chunk it is quoted from. */
export interface Excerpt {
  readonly chunk: Chunk;
  readonly sentence: string;
  readonly score: number;
  /** The sentence's analysed tokens (cached with the chunk), for near-duplicate checks. */
  readonly tokens: ReadonlySet<string>;
}

/** Limits of an extractive answer; about 120 words, as the product brief asks. */
export interface ComposeOptions {
  readonly maxSentences: number;
  readonly maxWords: number;
  /** A further sentence is kept only if it scores at least this share of the best one. */
  readonly keepRatio: number;
}

/** Share of a question word's weight when only the document title has it ("kế hoạch … xã Cộng Hòa"). */
const TITLE_WEIGHT = 0.5;

/** Units up to this length are quoted whole. */
const WHOLE_UNIT_CHARS = 420;

export const DEFAULT_COMPOSE_OPTIONS: ComposeOptions = { maxSentences: 5, maxWords: 120, keepRatio: 0.85 };

// Question words that ask for an amount, a rate or a duration: sentences with such a figure rank higher.
const QUANTITY_CUES = [["bao", "nhieu"], ["ty", "le"], ["muc", "tieu"], ["toc", "do"], ["so", "tien"], ["muc", "ho", "tro"], ["bao", "lau"], ["may", "ngay"], ["may", "thang"], ["thoi", "han"]];
// Question words that ask for a date: sentences with a date or a year rank higher.
const DATE_CUES = [["ngay", "nao"], ["khi", "nao"], ["bao", "gio"], ["luc", "nao"], ["truoc", "ngay"], ["tu", "ngay"], ["nam", "nao"], ["thang", "nao"]];

function hasCue(tokens: readonly string[], cues: readonly string[][]): boolean {
  return cues.some((cue) => {
    for (let i = 0; i + cue.length <= tokens.length; i++) if (cue.every((t, j) => tokens[i + j] === t)) return true;
    return false;
  });
}

const DATE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b/;
/** A figure that is not a date, a year or a network name (2G/4G). */
function hasFigure(text: string): boolean {
  return /\d/.test(text.replace(/\b[2-5]G\b/gi, "").replace(new RegExp(DATE.source, "g"), ""));
}

// Headings phrased as residents' questions ("… bây giờ còn không") make poor leads.
const QUESTION_HEADING = /\?|\b(khong|chua|nao|gi|sao|dau|bao nhieu|the nao|ra sao|khi nao|bao gio)\b/;

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

/** Removes list markers ("- ", "a) ", "1. ") from the start of a quoted unit. */
function stripMarker(text: string): string {
  return text.replace(/^(?:[-*+]\s+|[a-zđ]\)\s+|\d{1,2}[.)]\s+)/u, "");
}

/** "1. Mạng viễn thông băng rộng di động" → "Mạng viễn thông băng rộng di động"; "VI. CHẾ ĐỘ BÁO CÁO" → "Chế độ báo cáo". */
export function headingLabel(heading: string): string {
  const bare = heading.replace(/^(?:[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))\s+/u, "").trim();
  if (bare && bare === bare.toUpperCase() && /\p{Lu}/u.test(bare)) {
    const lower = bare.toLowerCase();
    return lower.charAt(0).toUpperCase() + lower.slice(1);
  }
  return bare;
}

/** Creates the sentence selector; sentence analyses are cached per chunk. */
export type Composer = ReturnType<typeof createComposer>;

export function createComposer(deps: { analyzer: Analyzer; idf: (token: string) => number; options?: Partial<ComposeOptions> }) {
  const options = { ...DEFAULT_COMPOSE_OPTIONS, ...deps.options };
  const cache = new Map<string, { heading: Set<string>; title: Set<string>; sentences: Array<{ text: string; tokens: Set<string>; terms: Set<string>; hasFigure: boolean; hasDate: boolean }> }>();

  const prepared = (chunk: Chunk) => {
    let entry = cache.get(chunk.id);
    if (!entry) {
      const heading = new Set(deps.analyzer.analyzeDocument(chunk.section).tokens);
      const title = new Set(deps.analyzer.analyzeDocument(chunk.title).tokens);
      // A short unit (a list item, a target line) is quoted whole; only long paragraphs are cut
      // into sentences, so an item is never split from its own first sentence.
      const parts = chunk.text.length <= WHOLE_UNIT_CHARS ? [chunk.text] : splitSentences(chunk.text);
      const sentences = parts.map((text) => {
        const a = deps.analyzer.analyzeDocument(text);
        // "2G/4G" are names, not numbers: they must not make every sentence look like a figure.
        return { text, tokens: new Set(a.tokens), terms: new Set(a.terms), hasFigure: hasFigure(text), hasDate: DATE.test(text) };
      });
      entry = { heading, title, sentences };
      cache.set(chunk.id, entry);
    }
    return entry;
  };

  /** Picks the sentences that answer `query` from the retrieved `hits` (best first). */
  function select(query: Analysis, hits: readonly RetrievalHit[]): Excerpt[] {
    const weights = query.contentTokens.map((t) => ({ t, w: deps.idf(t) }));
    const total = weights.reduce((s, x) => s + x.w, 0) || 1;
    const queryBigrams = query.terms.filter((t) => t.includes("_"));
    const wantsFigure = hasCue(query.tokens, QUANTITY_CUES);
    const wantsDate = hasCue(query.tokens, DATE_CUES);
    const topRelevance = hits[0]?.relevance ?? 0;

    const scored: Excerpt[] = [];
    for (const hit of hits) {
      const { heading, title, sentences } = prepared(hit.chunk);
      for (const s of sentences) {
        let found = 0;
        for (const { t, w } of weights) {
          if (s.tokens.has(t)) found += w;
          else if (heading.has(t)) found += 0.9 * w;
          else if (title.has(t)) found += TITLE_WEIGHT * w;
        }
        let bigramHits = 0;
        for (const b of queryBigrams) if (s.terms.has(b)) bigramHits += 1;
        const score =
          found / total +
          (queryBigrams.length ? (0.3 * bigramHits) / queryBigrams.length : 0) +
          (wantsFigure && s.hasFigure ? 0.25 : 0) +
          (wantsDate && s.hasDate ? 0.15 : 0) +
          0.3 * (topRelevance ? hit.relevance / topRelevance : 0);
        scored.push({ chunk: hit.chunk, sentence: s.text, score, tokens: s.tokens });
      }
    }
    scored.sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (!best) return [];
    const chosen: Excerpt[] = [best];
    let words = best.sentence.split(/\s+/).length;
    for (const e of scored.slice(1)) {
      if (chosen.length >= options.maxSentences) break;
      if (e.score < options.keepRatio * best.score) break;
      const w = e.sentence.split(/\s+/).length;
      if (words + w > options.maxWords) continue;
      // Near-duplicates (the same fact restated in two files) are quoted once.
      if (chosen.some((c) => jaccard(c.tokens, e.tokens) >= 0.75)) continue;
      chosen.push(e);
      words += w;
    }
    // Read excerpts in document order (steps 1, 2, 3; targets as listed), documents in rank order.
    const docRank = new Map<string, number>();
    for (const e of chosen) if (!docRank.has(e.chunk.docId)) docRank.set(e.chunk.docId, docRank.size);
    const ordinal = (e: Excerpt) => Number(e.chunk.id.slice(e.chunk.id.lastIndexOf("#") + 1));
    chosen.sort((a, b) => (docRank.get(a.chunk.docId) as number) - (docRank.get(b.chunk.docId) as number) || ordinal(a) - ordinal(b));
    return chosen;
  }

  /**
   * Splits an excerpt for reading: the sentence without its list marker, and the label of its
   * heading when that adds meaning (the heading often names the subject, e.g. "Công chức Văn
   * hoá-Xã hội" or "Mạng … di động", that the quoted item leaves implicit).
   */
  function render(excerpt: Excerpt): { label: string | null; sentence: string } {
    const sentence = stripMarker(excerpt.sentence);
    const last = excerpt.chunk.headings[excerpt.chunk.headings.length - 1];
    if (!last || excerpt.chunk.kind === "faq") return { label: null, sentence };
    const label = headingLabel(last);
    if (!label || fold(sentence).includes(fold(label)) || QUESTION_HEADING.test(fold(label))) return { label: null, sentence };
    return { label, sentence };
  }

  return { select, render };
}
