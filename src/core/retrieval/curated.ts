/**
 * Matches a question against the curated answers (FAQ entries) by the meaning of the whole
 * question: every content word of the question should be explained by the entry (its question,
 * its other phrasings, its answer), and the entry's own question should be found in the question.
 * Scoring both directions keeps a neighbouring entry (same words, another question) from winning
 * only because it shares a few rare words. Pure and in memory: a few hundred entries are scored in
 * well under a millisecond.
 */
import type { Chunk } from "../knowledge/chunk.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import { detectEntities, type PhoneKind } from "../understanding/entities.js";
import { ENGLISH_STOPWORDS, type Language } from "../understanding/language.js";
import { detectQuestionType, type QuestionType } from "../understanding/question-type.js";

/** One curated entry prepared for matching. */
export interface CuratedEntry {
  readonly chunk: Chunk;
  readonly lang: Language;
  readonly qtype: QuestionType;
  readonly carriers: readonly string[];
  /** The kind of phone the entry is about ("Máy 4G không có VoLTE …"), if any. */
  readonly phone: PhoneKind | null;
  readonly variants: ReadonlyArray<{ readonly text: string; readonly tokens: ReadonlySet<string>; readonly pairs: ReadonlySet<string> }>;
  /** Content words of all the entry's phrasings. */
  readonly questionVocab: ReadonlySet<string>;
  /** Content words of the answer and its next-step line. */
  readonly answerVocab: ReadonlySet<string>;
  /**
   * Content words of the document sections the entry cites: the entry rests on them, so a word
   * of the question found there is explained by the entry too, if more weakly ("trình báo",
   * "chiếm đoạt" are in the guide on scams, not in the short answer).
   */
  readonly sectionVocab: ReadonlySet<string>;
}

/** A question prepared for matching. */
export interface CuratedQuery {
  /** The segments that ask. */
  readonly focus: Analysis;
  /** The rest of the message (a story before the question), weighted less; null when none. */
  readonly context: Analysis | null;
  readonly qtype: QuestionType;
  readonly lang: Language;
  /** Entries of another commune's documents are left out; null accepts every commune. */
  readonly commune: string | null;
  /** A commune the question named (or a plan question): that commune's own entries rank a little higher. */
  readonly preferCommune?: string | null;
  readonly carriers: readonly string[];
  /** The kind of phone the question is about, if it says. */
  readonly phone?: PhoneKind | null;
}

export interface CuratedCandidate {
  readonly entry: CuratedEntry;
  /** 0..1: how well the entry answers the question. */
  readonly score: number;
  /** Share of the question's weighted content words the entry explains. */
  readonly forward: number;
  /** Share of the best-matching phrasing's weighted content words found in the question. */
  readonly backward: number;
  /** The phrasing that matched best. */
  readonly variant: string;
}

/** Tuning of the curated matcher (fitted on the dev split only). */
export interface CuratedOptions {
  /** Weight of a context word (story) relative to a focus word. */
  readonly contextWeight: number;
  /** Credit for a question word found in another phrasing of the entry / only in its answer. */
  readonly otherVariantCredit: number;
  readonly answerCredit: number;
  readonly sectionCredit: number;
  /** Exponents of the two directions in the score (forward^a · backward^b). */
  readonly forwardExponent: number;
  readonly backwardExponent: number;
  /** Bonus per share of the phrasing's word pairs found as pairs in the question. */
  readonly pairBonus: number;
  /** Factor when the question asks another kind of thing (a date, a place…) than the entry answers. */
  readonly typeMismatch: number;
  /** Factor when the question names a carrier and the entry is about another one. */
  readonly carrierMismatch: number;
  /** Score added to the named commune's own entries. */
  readonly communeBoost: number;
  /**
   * Weight of a question word found nowhere in the knowledge (a name, a typo, a word of the
   * story): it cannot be matched by any entry, so it only lowers every score alike; capped so a
   * few such words do not push a good match under the threshold.
   */
  readonly unknownWordWeight: number;
}

export const DEFAULT_CURATED_OPTIONS: CuratedOptions = {
  contextWeight: 0.5,
  otherVariantCredit: 0.8,
  answerCredit: 0.7,
  sectionCredit: 0.45,
  forwardExponent: 0.8,
  backwardExponent: 0.2,
  pairBonus: 0.08,
  typeMismatch: 0.85,
  carrierMismatch: 0.75,
  communeBoost: 0.06,
  unknownWordWeight: 2,
};

// Types that ask for a specific kind of content; a yes/no, how or other question is compatible with most entries.
const SPECIFIC: ReadonlySet<QuestionType> = new Set(["when", "howmuch", "where", "who", "what", "why"]);

export interface CuratedMatcher {
  readonly entries: readonly CuratedEntry[];
  /** The best `k` entries for the query, best first (entries scoring 0 are left out). */
  match(query: CuratedQuery, k?: number): CuratedCandidate[];
}

/** The content words of an analysis, without English function words. */
function contentOf(a: Analysis): string[] {
  return a.contentTokens.filter((t) => !ENGLISH_STOPWORDS.has(t));
}

function pairsOf(a: Analysis, content: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < a.tokens.length; i++) {
    const x = a.tokens[i] as string;
    const y = a.tokens[i + 1] as string;
    if (content.has(x) && content.has(y)) out.add(`${x}_${y}`);
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
    return w >= unseen ? Math.min(w, o.unknownWordWeight) : w;
  };
  const sectionsOf = (docId: string, section: string): Chunk[] =>
    deps.chunks.filter((c) => c.docId === docId && !c.faq && (c.section === section || c.section.startsWith(`${section} › `)));
  const entries: CuratedEntry[] = deps.chunks
    .filter((c): c is Chunk & { faq: NonNullable<Chunk["faq"]> } => c.faq !== undefined)
    .map((chunk) => {
      const texts = [chunk.faq.question, ...chunk.faq.paraphrases];
      const variants = texts.map((text) => {
        const a = deps.analyzer.analyzeQuery(text);
        const tokens = new Set(contentOf(a));
        return { text, tokens, pairs: pairsOf(a, tokens) };
      });
      const questionVocab = new Set(variants.flatMap((v) => [...v.tokens]));
      const answerVocab = new Set(contentOf(deps.analyzer.analyzeDocument(`${chunk.faq.answer}\n${chunk.faq.next ?? ""}`)));
      const cited = chunk.faq.cites.flatMap((c) => (c.section ? sectionsOf(c.docId, c.section) : []));
      const sectionVocab = new Set(cited.flatMap((c) => contentOf(deps.analyzer.analyzeDocument(`${c.section}\n${c.text}`))));
      const heading = deps.analyzer.routingTokens(chunk.faq.question);
      const entities = detectEntities([chunk.faq.question].flatMap((t) => deps.analyzer.routingTokens(t)));
      return {
        chunk,
        phone: entities.phone,
        lang: chunk.lang,
        qtype: detectQuestionType(heading, chunk.faq.question.trim().endsWith("?")),
        carriers: detectEntities(texts.flatMap((t) => deps.analyzer.routingTokens(t))).carriers,
        variants,
        questionVocab,
        answerVocab,
        sectionVocab,
      };
    });

  return {
    entries,
    match(query, k = 5) {
      const weights = new Map<string, number>();
      for (const t of contentOf(query.focus)) weights.set(t, weigh(t));
      if (query.context) for (const t of contentOf(query.context)) if (!weights.has(t)) weights.set(t, o.contextWeight * weigh(t));
      const total = [...weights.values()].reduce((s, w) => s + w, 0);
      if (total === 0) return [];
      const questionPairs = new Set<string>([...pairsOf(query.focus, new Set(weights.keys())), ...(query.context ? pairsOf(query.context, new Set(weights.keys())) : [])]);

      const out: CuratedCandidate[] = [];
      for (const entry of entries) {
        if (entry.lang !== query.lang) continue;
        const commune = entry.chunk.commune;
        if (commune !== null && query.commune !== null && commune !== query.commune) continue;
        let best: CuratedCandidate | null = null;
        for (const v of entry.variants) {
          let found = 0;
          for (const [t, w] of weights) {
            if (v.tokens.has(t)) found += w;
            else if (entry.questionVocab.has(t)) found += o.otherVariantCredit * w;
            else if (entry.answerVocab.has(t)) found += o.answerCredit * w;
            else if (entry.sectionVocab.has(t)) found += o.sectionCredit * w;
          }
          const forward = found / total;
          let own = 0;
          let seen = 0;
          for (const t of v.tokens) {
            const w = deps.idf(t);
            own += w;
            if (weights.has(t)) seen += w;
          }
          const backward = own === 0 ? 0 : seen / own;
          let pairs = 0;
          for (const pair of v.pairs) if (questionPairs.has(pair)) pairs++;
          const pairShare = v.pairs.size ? pairs / v.pairs.size : 0;
          const score = Math.pow(forward, o.forwardExponent) * Math.pow(backward, o.backwardExponent) + o.pairBonus * pairShare;
          if (!best || score > best.score) best = { entry, score, forward, backward, variant: v.text };
        }
        if (!best || best.score <= 0) continue;
        let factor = 1;
        if (SPECIFIC.has(query.qtype) && SPECIFIC.has(entry.qtype) && query.qtype !== entry.qtype) factor *= o.typeMismatch;
        if (query.carriers.length && entry.carriers.length && !entry.carriers.some((c) => query.carriers.includes(c))) factor *= o.carrierMismatch;
        let boost = query.preferCommune && commune === query.preferCommune ? o.communeBoost : 0;
        // The same kind of phone as the question (a 4G phone without VoLTE, a keypad 2G phone…).
        if (query.phone && entry.phone) {
          if (entry.phone === query.phone) boost += o.communeBoost;
          else factor *= o.carrierMismatch;
        }
        out.push({ ...best, score: Math.min(1, best.score * factor + boost) });
      }
      out.sort((a, b) => b.score - a.score);
      return out.slice(0, k);
    },
  };
}
