import type { Lexicon } from "./lexicon.js";
import { bigrams, fold, tokenize } from "./normalize.js";

/** The searchable form of a text: folded tokens after the lexicon's rewrites, plus bigrams. */
export interface Analysis {
  /** Folded text (NFC, lowercase, no diacritics, đ→d). */
  readonly folded: string;
  /** Tokens after abbreviation expansion (queries only) and synonym canonicalization. */
  readonly tokens: readonly string[];
  /** Index terms: tokens and syllable bigrams ("dien_thoai"). */
  readonly terms: readonly string[];
  /** Distinct tokens that are not stopwords: what the text is about. */
  readonly contentTokens: readonly string[];
}

/** Turns questions and knowledge text into {@link Analysis} with one shared lexicon. */
export interface Analyzer {
  /** Questions: chat abbreviations are expanded before synonyms are canonicalized. */
  analyzeQuery(text: string): Analysis;
  /** Knowledge text: written properly, so only synonyms are canonicalized. */
  analyzeDocument(text: string): Analysis;
  /** Folded query tokens with abbreviations expanded but no synonym rewrite (for routing rules). */
  routingTokens(text: string): string[];
  /** Finishes a query analysis from routing tokens (after, e.g., a commune name was removed). */
  analyzeRoutingTokens(tokens: readonly string[]): Analysis;
  readonly lexicon: Lexicon;
}

/** Creates the analyzer used on both sides of retrieval, so questions and chunks match alike. */
export function createAnalyzer(lexicon: Lexicon): Analyzer {
  const build = (folded: string, tokens: string[]): Analysis => {
    const content = new Set<string>();
    for (const t of tokens) if (!lexicon.isStopword(t)) content.add(t);
    return { folded, tokens, terms: [...tokens, ...bigrams(tokens)], contentTokens: [...content] };
  };
  return {
    lexicon,
    analyzeQuery(text) {
      const folded = fold(text);
      return build(folded, lexicon.canonicalize(lexicon.expandAbbreviations(tokenize(folded))));
    },
    analyzeDocument(text) {
      const folded = fold(text);
      return build(folded, lexicon.canonicalize(tokenize(folded)));
    },
    routingTokens(text) {
      return lexicon.expandAbbreviations(tokenize(fold(text)));
    },
    analyzeRoutingTokens(tokens) {
      return build(tokens.join(" "), lexicon.canonicalize(tokens));
    },
  };
}
