/**
 * Builds the curated matcher's indexes (curated.ts) from the FAQ chunks: each entry with its
 * phrasings analysed once, then inverted indexes packed into typed arrays, so scoring a question
 * touches only the entries and phrasings that share a word with it.
 */
import type { Chunk } from "../knowledge/chunk.js";
import type { Analyzer } from "../text/analyze.js";
import { detectEntities } from "../understanding/entities.js";
import { detectQuestionType, detectQuestionTypes } from "../understanding/question-type.js";
import type { CuratedEntry, CuratedOptions } from "./curated-types.js";
import { DATE, spellingsOf, termsOf } from "./curated-terms.js";

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

/** Postings packed as compressed rows: the term's row is offsets[index.get(t)] .. offsets[+1]. */
export interface Packed {
  readonly index: ReadonlyMap<string, number>;
  readonly offsets: Int32Array;
}

export interface CuratedIndex {
  readonly entries: readonly CuratedEntry[];
  /** Per term, the entries that explain it and with what credit. */
  readonly credits: Packed;
  readonly creditEntries: Int32Array;
  readonly creditValues: Float32Array;
  /** Per term, the phrasings (variants) that contain it. */
  readonly variants: Packed;
  readonly variantIds: Int32Array;
  /** Per variant: its entry, and the weight of its own terms. */
  readonly variantEntries: Int32Array;
  readonly variantOwn: readonly number[];
  /** Per entry: the id of its first variant. */
  readonly firstVariant: readonly number[];
  /** For a folded word, the entries that spell it only with marks, and with which marks. */
  readonly spellers: ReadonlyMap<string, ReadonlyArray<{ entry: number; marks: ReadonlySet<string> }>>;
}

export interface CuratedIndexDeps {
  readonly chunks: readonly Chunk[];
  readonly analyzer: Analyzer;
  /** A term's weight in a phrasing's own total. */
  readonly idfOf: (term: string) => number;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Content words of the cited sections of a document, cached per section; broad sections lend none. */
function sectionVocabulary(deps: CuratedIndexDeps, o: CuratedOptions): (docId: string, section: string) => string[] {
  const byDoc = new Map<string, Chunk[]>();
  for (const c of deps.chunks) if (!c.faq) push(byDoc, c.docId, c);
  const sectionWords = new Map<string, string[]>();
  // Each passage is analysed once, however many cited sections contain it.
  const chunkTerms = new Map<string, string[]>();
  const termsOfChunk = (c: Chunk): string[] => {
    let terms = chunkTerms.get(c.id);
    if (!terms) chunkTerms.set(c.id, (terms = termsOf(deps.analyzer.analyzeDocument(`${c.section}\n${c.text}`), o.pairTerms)));
    return terms;
  };
  return (docId, section) => {
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
}

/** Every FAQ chunk as an entry, with the vocabulary its indexes are built from. */
function prepareEntries(deps: CuratedIndexDeps, o: CuratedOptions): { entries: CuratedEntry[]; vocabularies: EntryVocabulary[] } {
  const sectionVocabOf = sectionVocabulary(deps, o);
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
  return { entries, vocabularies };
}

/** Packs a term → list map into one flat array per field plus row offsets. */
function pack<V>(map: Map<string, V[]>, write: (at: number, value: V) => void, size: (n: number) => void): Packed {
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
}

/**
 * The indexes. The credit a word earns from an entry is its best: in the phrasing itself (1), in
 * another phrasing, in the answer, in the cited sections.
 */
export function buildCuratedIndex(deps: CuratedIndexDeps, o: CuratedOptions): CuratedIndex {
  const { entries, vocabularies } = prepareEntries(deps, o);
  const variantEntry: number[] = [];
  const variantOwn: number[] = [];
  const variantsByToken = new Map<string, number[]>();
  const entryCredit = new Map<string, Array<{ entry: number; credit: number }>>();
  const spellers = new Map<string, Array<{ entry: number; marks: ReadonlySet<string> }>>();
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
        own += deps.idfOf(t);
        push(variantsByToken, t, id);
      }
      variantOwn.push(own);
    }
    for (const [t, marks] of vocabulary.spellings) if (marks !== "any") push(spellers, t, { entry: e, marks });
  });
  // Packed postings in flat arrays: the hot loops run over typed arrays, and a term costs one
  // Map entry, not an object and two arrays.
  let creditEntries = new Int32Array(0);
  let creditValues = new Float32Array(0);
  const credits = pack(entryCredit, (at, x) => ((creditEntries[at] = x.entry), (creditValues[at] = x.credit)), (n) => ((creditEntries = new Int32Array(n)), (creditValues = new Float32Array(n))));
  let variantIds = new Int32Array(0);
  const variants = pack(variantsByToken, (at, v) => (variantIds[at] = v), (n) => (variantIds = new Int32Array(n)));
  const firstVariant: number[] = [];
  entries.forEach((entry, e) => firstVariant.push(e === 0 ? 0 : (firstVariant[e - 1] as number) + (entries[e - 1] as CuratedEntry).variants.length));
  return { entries, credits, creditEntries, creditValues, variants, variantIds, variantEntries: Int32Array.from(variantEntry), variantOwn, firstVariant, spellers };
}
