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
import { detectQuestionType, detectQuestionTypes, type QuestionType } from "../understanding/question-type.js";

/** One curated entry prepared for matching. */
export interface CuratedEntry {
  readonly chunk: Chunk;
  readonly lang: Language;
  readonly qtype: QuestionType;
  /** Every kind of answer the entry's question asks for (a heading may ask two things). */
  readonly qtypes: readonly QuestionType[];
  readonly carriers: readonly string[];
  /** The kind of phone the entry is about ("Máy 4G không có VoLTE …"), if any. */
  readonly phone: PhoneKind | null;
  readonly variants: ReadonlyArray<{ readonly text: string; readonly tokens: ReadonlySet<string> }>;
  /** The answer states a date (for "when" questions) / a figure other than a date (for "how much"). */
  readonly answerHasDate: boolean;
  readonly answerHasFigure: boolean;
}

/** What an entry contributes to the indexes, needed only while they are built. */
interface EntryVocabulary {
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
  /** How the entry's question, phrasings and answer spell each folded word (for accent-aware matching). */
  readonly spellings: ReadonlyMap<string, ReadonlySet<string> | "any">;
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
  /** Cited sections longer than this (characters) lend no words. */
  readonly maxSectionChars: number;
  /** Exponents of the two directions in the score (forward^a · backward^b). */
  readonly forwardExponent: number;
  readonly backwardExponent: number;
  /** Factor when the question asks another kind of thing (a date, a place…) than the entry answers. */
  readonly typeMismatch: number;
  /** Factor when the question asks for a specific kind of thing and the entry answers "how" or anything else. */
  readonly typeMismatchHow: number;
  /** Factor when the entry answers a specific kind of question and the question asks yes/no or how. */
  readonly typeMismatchEntry: number;
  /** Factor when a "when" question's entry gives no date, or a "how much" question's entry no figure. */
  readonly missingFigure: number;
  /** Factor when the question names a carrier and the entry is about another one. */
  readonly carrierMismatch: number;
  /** Score added to the named commune's own entries. */
  readonly communeBoost: number;
  /** Score added to entries about the kind of phone the question names. */
  readonly phoneBoost: number;
  /**
   * Weight of a question word found nowhere in the knowledge (a name, a typo, a word of the
   * story): it cannot be matched by any entry, so it only lowers every score alike; capped so a
   * few such words do not push a good match under the threshold.
   */
  readonly unknownWordWeight: number;
  /** Match pairs of adjacent content words as terms of their own (weighted by their own rarity). */
  readonly pairTerms: boolean;
  /** Weight of a pair term relative to its IDF. */
  readonly pairWeight: number;
  /** Words typed with diacritics match only entries that spell them the same way. */
  readonly accentAware: boolean;
}

export const DEFAULT_CURATED_OPTIONS: CuratedOptions = {
  contextWeight: 0.5,
  otherVariantCredit: 0.8,
  answerCredit: 0.7,
  sectionCredit: 0.45,
  maxSectionChars: 6000,
  forwardExponent: 0.8,
  backwardExponent: 0.2,
  typeMismatch: 0.85,
  typeMismatchHow: 0.85,
  typeMismatchEntry: 0.85,
  missingFigure: 0.85,
  carrierMismatch: 0.75,
  communeBoost: 0.12,
  phoneBoost: 0.06,
  unknownWordWeight: 2,
  pairTerms: true,
  pairWeight: 0.5,
  accentAware: true,
};

const DATE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b|\btháng\s+\d{1,2}\b/iu;

// Types that ask for a specific kind of content; a yes/no, how or other question is compatible with most entries.
const SPECIFIC: ReadonlySet<QuestionType> = new Set(["when", "howmuch", "where", "who", "what", "why"]);

export interface CuratedMatcher {
  readonly entries: readonly CuratedEntry[];
  /** The best `k` entries for the query, best first (entries scoring 0 are left out). */
  match(query: CuratedQuery, k?: number): CuratedCandidate[];
}

/**
 * The marks of a word typed with diacritics, independent of where the tone mark sits ("hoà" and
 * "hòa", "thuỷ" and "thủy" are the same word): the combining marks, sorted, and whether it has đ.
 */
function marksOf(word: string): string {
  const marks = [...word.normalize("NFD")].filter((c) => /[\u0300-\u036f]/.test(c)).sort().join("");
  return /đ/i.test(word) ? `${marks}đ` : marks;
}

/** The spellings of each folded word in an analysis; "any" when the text was typed without marks. */
function spellingsOf(a: Analysis, into: Map<string, Set<string> | "any">): void {
  a.tokens.forEach((t, i) => {
    const typed = a.marked[i];
    const current = into.get(t);
    if (current === "any") return;
    if (typed == null) into.set(t, "any");
    else if (current) current.add(marksOf(typed));
    else into.set(t, new Set([marksOf(typed)]));
  });
}

/** The content words of an analysis, without English function words. */
function wordsOf(a: Analysis): string[] {
  return a.contentTokens.filter((t) => !ENGLISH_STOPWORDS.has(t));
}

/**
 * The terms an entry or a question is matched on: its content words and, with `pairs`, the pairs
 * of adjacent content words ("toc_do", "di_dong"). Without diacritics many syllables fold alike
 * ("độ", "đó", "đỗ" are all "do"); the pair keeps the word they make together.
 */
function termsOf(a: Analysis, pairs: boolean): string[] {
  const words = wordsOf(a);
  if (!pairs) return words;
  const content = new Set(words);
  const out = [...words];
  for (let i = 0; i + 1 < a.tokens.length; i++) {
    const x = a.tokens[i] as string;
    const y = a.tokens[i + 1] as string;
    if (content.has(x) && content.has(y)) out.push(`${x}_${y}`);
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
  const byDoc = new Map<string, Chunk[]>();
  for (const c of deps.chunks) if (!c.faq) (byDoc.get(c.docId) ?? byDoc.set(c.docId, []).get(c.docId))?.push(c);
  const sectionWords = new Map<string, string[]>();
  // Each passage is analysed once, however many cited sections contain it.
  const chunkTerms = new Map<string, string[]>();
  const termsOfChunk = (c: Chunk): string[] => {
    let terms = chunkTerms.get(c.id);
    if (!terms) chunkTerms.set(c.id, (terms = termsOf(deps.analyzer.analyzeDocument(`${c.section}\n${c.text}`), o.pairTerms)));
    return terms;
  };
  /** Content words of a cited section (and its sub-sections). */
  const sectionVocabOf = (docId: string, section: string): string[] => {
    const key = `${docId}\u0000${section}`;
    let words = sectionWords.get(key);
    if (!words) {
      const parts = (byDoc.get(docId) ?? []).filter((c) => c.section === section || c.section.startsWith(`${section} › `));
      // A broad section (all of a plan's targets) would explain every neighbouring question alike.
      const size = parts.reduce((n, c) => n + c.section.length + c.text.length + 1, 0);
      words = size > o.maxSectionChars ? [] : [...new Set(parts.flatMap(termsOfChunk))];
      sectionWords.set(key, words);
    }
    return words;
  };
  const vocabularies: EntryVocabulary[] = [];
  const entries: CuratedEntry[] = deps.chunks
    .filter((c): c is Chunk & { faq: NonNullable<Chunk["faq"]> } => c.faq !== undefined)
    .map((chunk) => {
      const texts = [chunk.faq.question, ...chunk.faq.paraphrases];
      const spellings = new Map<string, Set<string> | "any">();
      const variants = texts.map((text) => {
        const a = deps.analyzer.analyzeQuery(text);
        spellingsOf(a, spellings);
        return { text, tokens: new Set(termsOf(a, o.pairTerms)) };
      });
      const questionVocab = new Set(variants.flatMap((v) => [...v.tokens]));
      const answerAnalysis = deps.analyzer.analyzeDocument(`${chunk.faq.answer}\n${chunk.faq.next ?? ""}`);
      spellingsOf(answerAnalysis, spellings);
      const answerVocab = new Set(termsOf(answerAnalysis, o.pairTerms));
      const sectionVocab = new Set(chunk.faq.cites.flatMap((c) => (c.section ? sectionVocabOf(c.docId, c.section) : [])));
      const heading = deps.analyzer.routingTokens(chunk.faq.question);
      const entities = detectEntities([chunk.faq.question].flatMap((t) => deps.analyzer.routingTokens(t)));
      vocabularies.push({ questionVocab, answerVocab, sectionVocab, spellings });
      return {
        chunk,
        phone: entities.phone,
        lang: chunk.lang,
        qtype: detectQuestionType(heading, chunk.faq.question.trim().endsWith("?")),
        qtypes: detectQuestionTypes(heading, chunk.faq.question.trim().endsWith("?")),
        carriers: detectEntities(texts.flatMap((t) => deps.analyzer.routingTokens(t))).carriers,
        variants,
        answerHasDate: DATE.test(chunk.faq.answer),
        answerHasFigure: /\d/.test(chunk.faq.answer.replace(new RegExp(DATE.source, "g"), "").replace(/\b[2-5]G\b/gi, "")),
      };
    });

  // Inverted indexes, so a question touches only the entries and phrasings that share a word
  // with it. The credit a word earns from an entry is its best: in the phrasing itself (1), in
  // another phrasing, in the answer, in the cited sections.
  const variantEntry: number[] = [];
  const variantOwn: number[] = [];
  const variantsByToken = new Map<string, number[]>();
  const entryCredit = new Map<string, Array<{ entry: number; credit: number }>>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  entries.forEach((entry, e) => {
    const vocabulary = vocabularies[e] as EntryVocabulary;
    const credit = new Map<string, number>();
    for (const t of vocabulary.sectionVocab) credit.set(t, o.sectionCredit);
    for (const t of vocabulary.answerVocab) credit.set(t, Math.max(credit.get(t) ?? 0, o.answerCredit));
    for (const t of vocabulary.questionVocab) credit.set(t, Math.max(credit.get(t) ?? 0, o.otherVariantCredit));
    for (const [t, c] of credit) push(entryCredit, t, { entry: e, credit: c });
    for (const v of entry.variants) {
      const id = variantEntry.length;
      variantEntry.push(e);
      let own = 0;
      for (const t of v.tokens) {
        own += idfOf(t);
        push(variantsByToken, t, id);
      }
      variantOwn.push(own);
    }
  });
  const variantCount = variantEntry.length;
  // Packed postings in flat arrays (compressed rows): the hot loops run over typed arrays, and
  // a term costs one Map entry, not an object and two arrays.
  const pack = <V>(map: Map<string, V[]>, write: (at: number, value: V) => void, size: (n: number) => void) => {
    const index = new Map<string, number>();
    const offsets = new Int32Array(map.size + 1);
    let n = 0;
    for (const list of map.values()) n += list.length;
    size(n);
    let at = 0;
    for (const [t, list] of map) {
      offsets[index.size] = at;
      index.set(t, index.size);
      for (const value of list) write(at++, value);
    }
    offsets[index.size] = at;
    return { index, offsets };
  };
  let creditEntries = new Int32Array(0);
  let creditValues = new Float32Array(0);
  const credits = pack(entryCredit, (at, x) => ((creditEntries[at] = x.entry), (creditValues[at] = x.credit)), (n) => ((creditEntries = new Int32Array(n)), (creditValues = new Float32Array(n))));
  let variantIds = new Int32Array(0);
  const variantsOf = pack(variantsByToken, (at, v) => (variantIds[at] = v), (n) => (variantIds = new Int32Array(n)));
  const variantEntries = Int32Array.from(variantEntry);
  // Accent-aware matching, precomputed: for a folded word, the entries that spell it only with
  // marks (never typed without them), and with which marks.
  const spellers = new Map<string, Array<{ entry: number; marks: ReadonlySet<string> }>>();
  vocabularies.forEach((vocabulary, e) => {
    for (const [t, marks] of vocabulary.spellings) if (marks !== "any") push(spellers, t, { entry: e, marks });
  });
  // What was needed only to build the indexes is let go (closures below share this scope).
  vocabularies.length = 0;
  entryCredit.clear();
  variantsByToken.clear();
  chunkTerms.clear();
  sectionWords.clear();
  const blockedCache = new Map<string, Uint8Array | null>();
  /** Entries that never write `t` with the marks `mine` the resident typed (null: none). */
  const blockedFor = (t: string, mine: string): Uint8Array | null => {
    const key = `${t}\u0000${mine}`;
    const cached = blockedCache.get(key);
    if (cached !== undefined) return cached;
    let blocked: Uint8Array | null = null;
    for (const { entry, marks } of spellers.get(t) ?? []) {
      if (marks.has(mine)) continue;
      blocked ??= new Uint8Array(entries.length);
      blocked[entry] = 1;
    }
    if (blockedCache.size >= 20_000) blockedCache.clear();
    blockedCache.set(key, blocked);
    return blocked;
  };
  const order = new Map(entries.map((entry, i) => [entry as CuratedEntry, i]));
  const firstVariant: number[] = [];
  entries.forEach((entry, e) => firstVariant.push(e === 0 ? 0 : (firstVariant[e - 1] as number) + (entries[e - 1] as CuratedEntry).variants.length));

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
      // Per entry: the credit every question term earns from it; per phrasing: the extra for
      // terms in the phrasing itself, and the weight of its own terms found in the question.
      const entryFound = new Float64Array(entries.length);
      const variantExtra = new Float64Array(variantCount);
      const variantSeen = new Float64Array(variantCount);
      const seen = new Uint8Array(entries.length);
      const touched: number[] = [];
      for (const [t, w] of weights) {
        const mine = o.accentAware ? typed.get(t) : undefined;
        const blocked = mine === undefined ? null : blockedFor(t, mine);
        const ci = credits.index.get(t);
        if (ci !== undefined) {
          for (let i = credits.offsets[ci] as number, end = credits.offsets[ci + 1] as number; i < end; i++) {
            const entry = creditEntries[i] as number;
            if (blocked !== null && blocked[entry] === 1) continue;
            entryFound[entry] = (entryFound[entry] as number) + (creditValues[i] as number) * w;
            if (seen[entry] === 0) {
              seen[entry] = 1;
              touched.push(entry);
            }
          }
        }
        const vi = variantsOf.index.get(t);
        if (vi === undefined) continue;
        const idf = idfOf(t);
        const extra = (1 - o.otherVariantCredit) * w;
        for (let i = variantsOf.offsets[vi] as number, end = variantsOf.offsets[vi + 1] as number; i < end; i++) {
          const v = variantIds[i] as number;
          if (blocked !== null && blocked[variantEntries[v] as number] === 1) continue;
          variantExtra[v] = (variantExtra[v] as number) + extra;
          variantSeen[v] = (variantSeen[v] as number) + idf;
        }
      }

      const out: CuratedCandidate[] = [];
      for (const e of touched) {
        const entry = entries[e] as CuratedEntry;
        if (entry.lang !== query.lang) continue;
        const commune = entry.chunk.commune;
        if (commune !== null && query.commune !== null && commune !== query.commune) continue;
        let best: CuratedCandidate | null = null;
        entry.variants.forEach((v, i) => {
          const id = (firstVariant[e] as number) + i;
          const forward = ((entryFound[e] as number) + (variantExtra[id] as number)) / total;
          const own = variantOwn[id] as number;
          const backward = own === 0 ? 0 : (variantSeen[id] as number) / own;
          const score = Math.pow(forward, o.forwardExponent) * Math.pow(backward, o.backwardExponent);
          if (!best || score > best.score) best = { entry, score, forward, backward, variant: v.text };
        });
        const found = best as CuratedCandidate | null;
        if (!found || found.score <= 0) continue;
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
        let boost = query.preferCommune && commune === query.preferCommune ? o.communeBoost : 0;
        // The same kind of phone as the question (a 4G phone without VoLTE, a keypad 2G phone…).
        if (query.phone && entry.phone) {
          if (entry.phone === query.phone) boost += o.phoneBoost;
          else factor *= o.carrierMismatch;
        }
        out.push({ ...found, score: Math.min(1, found.score * factor + boost) });
      }
      // Ties go to the entry that comes first in the knowledge files (stable, and cheap to compare).
      out.sort((a, b) => b.score - a.score || (order.get(a.entry) as number) - (order.get(b.entry) as number));
      return out.slice(0, k);
    },
  };
}
