/** The curated matcher's types and tuning (see curated.ts). */
import type { Chunk } from "../knowledge/chunk.js";
import type { Analysis } from "../text/analyze.js";
import type { PhoneKind } from "../understanding/entities.js";
import type { Language } from "../understanding/language.js";
import type { QuestionType } from "../understanding/question-type.js";

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

export interface CuratedMatcher {
  readonly entries: readonly CuratedEntry[];
  /** The best `k` entries for the query, best first (entries scoring 0 are left out). */
  match(query: CuratedQuery, k?: number): CuratedCandidate[];
}
