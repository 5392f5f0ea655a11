/**
 * Matches a question against the curated answers (FAQ entries) by the meaning of the whole
 * question: every content word of the question should be explained by the entry (its question,
 * its other phrasings, its answer), and the entry's own question should be found in the question.
 * Scoring both directions keeps a neighbouring entry (same words, another question) from winning
 * only because it shares a few rare words. Pure and in memory: a few hundred entries are scored in
 * well under a millisecond.
 */
import type { Chunk } from "../knowledge/chunk.js";
import type { Analyzer } from "../text/analyze.js";
import type { QuestionType } from "../understanding/question-type.js";
import { buildCuratedIndex, type CuratedIndex } from "./curated-index.js";
import { marksOf, termsOf } from "./curated-terms.js";
import { DEFAULT_CURATED_OPTIONS, type CuratedCandidate, type CuratedEntry, type CuratedMatcher, type CuratedOptions, type CuratedQuery } from "./curated-types.js";

export { DEFAULT_CURATED_OPTIONS, type CuratedCandidate, type CuratedEntry, type CuratedMatcher, type CuratedOptions, type CuratedQuery } from "./curated-types.js";

// Types that ask for a specific kind of content; a yes/no, how or other question is compatible with most entries.
const SPECIFIC: ReadonlySet<QuestionType> = new Set(["when", "howmuch", "where", "who", "what", "why"]);

/** Per entry and per phrasing, what the question's terms earned (see `accumulate`). */
interface Tally {
  readonly entryFound: Float64Array;
  readonly variantExtra: Float64Array;
  readonly variantSeen: Float64Array;
  /** Entries that share at least one term with the question. */
  readonly touched: number[];
}

/**
 * Adds up, per entry, the credit every question term earns from it, and per phrasing the extra
 * for terms in the phrasing itself and the weight of its own terms found in the question.
 */
function accumulate(
  ix: CuratedIndex,
  weights: ReadonlyMap<string, number>,
  blockedOf: (term: string) => Uint8Array | null,
  idfOf: (term: string) => number,
  o: CuratedOptions,
): Tally {
  const variantCount = ix.variantEntries.length;
  const tally: Tally = {
    entryFound: new Float64Array(ix.entries.length),
    variantExtra: new Float64Array(variantCount),
    variantSeen: new Float64Array(variantCount),
    touched: [],
  };
  const { entryFound, variantExtra, variantSeen, touched } = tally;
  const seen = new Uint8Array(ix.entries.length);
  for (const [t, w] of weights) {
    const blocked = blockedOf(t);
    const ci = ix.credits.index.get(t);
    if (ci !== undefined) {
      for (let i = ix.credits.offsets[ci] as number, end = ix.credits.offsets[ci + 1] as number; i < end; i++) {
        const entry = ix.creditEntries[i] as number;
        if (blocked !== null && blocked[entry] === 1) continue;
        entryFound[entry] = (entryFound[entry] as number) + (ix.creditValues[i] as number) * w;
        if (seen[entry] === 0) {
          seen[entry] = 1;
          touched.push(entry);
        }
      }
    }
    const vi = ix.variants.index.get(t);
    if (vi === undefined) continue;
    const idf = idfOf(t);
    const extra = (1 - o.otherVariantCredit) * w;
    for (let i = ix.variants.offsets[vi] as number, end = ix.variants.offsets[vi + 1] as number; i < end; i++) {
      const v = ix.variantIds[i] as number;
      if (blocked !== null && blocked[ix.variantEntries[v] as number] === 1) continue;
      variantExtra[v] = (variantExtra[v] as number) + extra;
      variantSeen[v] = (variantSeen[v] as number) + idf;
    }
  }
  return tally;
}

/** The factor and boost for how well an entry's kind (question type, carrier, phone, commune) fits the question. */
function fit(entry: CuratedEntry, query: CuratedQuery, o: CuratedOptions): { factor: number; boost: number } {
  let factor = 1;
  // A question that asks for a date, a figure, a place… is answered by an entry of that kind;
  // a "how" entry ("làm sao biết tốc độ…") answers it less well, another specific kind worse.
  const answersKind = entry.qtypes.includes(query.qtype);
  if (SPECIFIC.has(query.qtype) && !answersKind) factor *= SPECIFIC.has(entry.qtype) ? o.typeMismatch : o.typeMismatchHow;
  // …and an entry that answers "who", "where", "when"… fits a yes/no or "how" question less.
  else if (SPECIFIC.has(entry.qtype) && !answersKind && query.qtype !== "other") factor *= o.typeMismatchEntry;
  // A "when" question needs a date in the answer, a "how much" question a figure.
  if ((query.qtype === "when" && !entry.answerHasDate) || (query.qtype === "howmuch" && !entry.answerHasFigure)) factor *= o.missingFigure;
  if (query.carriers.length && entry.carriers.length && !entry.carriers.some((c) => query.carriers.includes(c))) factor *= o.carrierMismatch;
  let boost = query.preferCommune && entry.chunk.commune === query.preferCommune ? o.communeBoost : 0;
  // The same kind of phone as the question (a 4G phone without VoLTE, a keypad 2G phone…).
  if (query.phone && entry.phone) {
    if (entry.phone === query.phone) boost += o.phoneBoost;
    else factor *= o.carrierMismatch;
  }
  return { factor, boost };
}

/** Each touched entry's best phrasing, scored both ways and fitted to the question's kind. */
function rank(ix: CuratedIndex, tally: Tally, total: number, query: CuratedQuery, o: CuratedOptions): CuratedCandidate[] {
  const out: CuratedCandidate[] = [];
  for (const e of tally.touched) {
    const entry = ix.entries[e] as CuratedEntry;
    if (entry.lang !== query.lang) continue;
    const commune = entry.chunk.commune;
    if (commune !== null && query.commune !== null && commune !== query.commune) continue;
    let best: CuratedCandidate | null = null;
    entry.variants.forEach((v, i) => {
      const id = (ix.firstVariant[e] as number) + i;
      const forward = ((tally.entryFound[e] as number) + (tally.variantExtra[id] as number)) / total;
      const own = ix.variantOwn[id] as number;
      const backward = own === 0 ? 0 : (tally.variantSeen[id] as number) / own;
      const score = Math.pow(forward, o.forwardExponent) * Math.pow(backward, o.backwardExponent);
      if (!best || score > best.score) best = { entry, score, forward, backward, variant: v.text };
    });
    const found = best as CuratedCandidate | null;
    if (!found || found.score <= 0) continue;
    const { factor, boost } = fit(entry, query, o);
    out.push({ ...found, score: Math.min(1, found.score * factor + boost) });
  }
  return out;
}

/** Prepares the FAQ chunks for matching; `idf` weighs words (rare words count more). */
export function createCuratedMatcher(deps: { chunks: readonly Chunk[]; analyzer: Analyzer; idf: (token: string) => number; options?: Partial<CuratedOptions> }): CuratedMatcher {
  const o = { ...DEFAULT_CURATED_OPTIONS, ...deps.options };
  // BM25 gives a word it has never seen the highest weight of all.
  const unseen = deps.idf("\u0000unseen\u0000");
  const weigh = (t: string) => {
    const w = deps.idf(t);
    const capped = w >= unseen ? Math.min(w, o.unknownWordWeight) : w;
    return t.includes("_") ? o.pairWeight * capped : capped;
  };
  /** A term's weight in a phrasing's own total (pairs count for less, as in questions). */
  const idfOf = (t: string) => (t.includes("_") ? o.pairWeight * deps.idf(t) : deps.idf(t));
  const ix = buildCuratedIndex({ chunks: deps.chunks, analyzer: deps.analyzer, idfOf }, o);
  const { entries } = ix;
  const blockedCache = new Map<string, Uint8Array | null>();
  /** Entries that never write `t` with the marks `mine` the resident typed (null: none). */
  const blockedFor = (t: string, mine: string): Uint8Array | null => {
    const key = `${t}\u0000${mine}`;
    const cached = blockedCache.get(key);
    if (cached !== undefined) return cached;
    let blocked: Uint8Array | null = null;
    for (const { entry, marks } of ix.spellers.get(t) ?? []) {
      if (marks.has(mine)) continue;
      blocked ??= new Uint8Array(entries.length);
      blocked[entry] = 1;
    }
    if (blockedCache.size >= 20_000) blockedCache.clear();
    blockedCache.set(key, blocked);
    return blocked;
  };
  const order = new Map(entries.map((entry, i) => [entry, i]));

  return {
    entries,
    match(query, k = 5) {
      const weights = new Map<string, number>();
      for (const t of termsOf(query.focus, o.pairTerms)) weights.set(t, weigh(t));
      if (query.context) for (const t of termsOf(query.context, o.pairTerms)) if (!weights.has(t)) weights.set(t, o.contextWeight * weigh(t));
      let total = 0;
      for (const w of weights.values()) total += w;
      if (total === 0) return [];
      // A word the resident typed with its marks ("lúa") does not match an entry that only ever
      // writes another word folding the same ("lừa"); typed without marks it matches any.
      const typed = new Map<string, string>();
      for (const a of query.context ? [query.focus, query.context] : [query.focus]) {
        a.tokens.forEach((t, i) => {
          const m = a.marked[i];
          if (m != null && !typed.has(t)) typed.set(t, marksOf(m));
        });
      }
      const blockedOf = (t: string) => {
        const mine = o.accentAware ? typed.get(t) : undefined;
        return mine === undefined ? null : blockedFor(t, mine);
      };
      const out = rank(ix, accumulate(ix, weights, blockedOf, idfOf, o), total, query, o);
      // Ties go to the entry that comes first in the knowledge files (stable, and cheap to compare).
      out.sort((a, b) => b.score - a.score || (order.get(a.entry) as number) - (order.get(b.entry) as number));
      return out.slice(0, k);
    },
  };
}
