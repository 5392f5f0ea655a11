import type { Lexicon } from "./lexicon.js";
import { bigrams, fold, toWords, type Word } from "./normalize.js";

/** The searchable form of a text: folded tokens after the lexicon's rewrites, plus bigrams. */
export interface Analysis {
  /** Folded text (NFC, lowercase, no diacritics, đ→d). */
  readonly folded: string;
  /** Folded tokens after abbreviation expansion (queries only) and synonym canonicalization. */
  readonly tokens: readonly string[];
  /** Index terms: tokens and syllable bigrams ("dien_thoai"). */
  readonly terms: readonly string[];
  /** Distinct tokens that are not stopwords: what the text is about. */
  readonly contentTokens: readonly string[];
  /**
   * For each token, its spelling with diacritics when the text was typed with them ("lừa"), else
   * null (typed without marks: any spelling that folds the same may be meant).
   */
  readonly marked: ReadonlyArray<string | null>;
}

/** Turns questions and knowledge text into {@link Analysis} with one shared lexicon. */
export interface Analyzer {
  /** Questions: chat abbreviations are expanded before synonyms are canonicalized. */
  analyzeQuery(text: string): Analysis;
  /** Knowledge text: written properly, so only synonyms are canonicalized. */
  analyzeDocument(text: string): Analysis;
  /** A question's words (typed and folded) with abbreviations expanded, for routing rules. */
  routingWords(text: string): Word[];
  /** The folded forms of {@link routingWords}. */
  routingTokens(text: string): string[];
  /** Finishes a query analysis from routing words (after, e.g., a commune name was removed). */
  analyzeRoutingWords(words: readonly Word[]): Analysis;
  readonly lexicon: Lexicon;
}

/** Creates the analyzer used on both sides of retrieval, so questions and chunks match alike. */
export function createAnalyzer(lexicon: Lexicon): Analyzer {
  const build = (folded: string, words: readonly Word[]): Analysis => {
    const tokens = words.map((w) => w.f);
    const content = new Set<string>();
    for (const w of words) if (!lexicon.isStopword(w)) content.add(w.f);
    const marked = words.map((w) => (w.exact || w.o !== w.f ? w.o : null));
    return { folded, tokens, terms: [...tokens, ...bigrams(tokens)], contentTokens: [...content], marked };
  };
  const routingWords = (text: string) => lexicon.expandAbbreviations(toWords(text));
  return {
    lexicon,
    analyzeQuery: (text) => build(fold(text), lexicon.canonicalize(routingWords(text))),
    analyzeDocument: (text) => build(fold(text), lexicon.canonicalize(toWords(text))),
    routingWords,
    routingTokens: (text) => routingWords(text).map((w) => w.f),
    analyzeRoutingWords: (words) => build(words.map((w) => w.f).join(" "), lexicon.canonicalize(words)),
  };
}
