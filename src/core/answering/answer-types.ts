/** The default answerer's types and tuning (see answer-question.ts). */
import type { CommuneDirectory } from "../knowledge/communes.js";
import type { CuratedMatcher } from "../retrieval/curated.js";
import type { HybridSearcher } from "../retrieval/hybrid.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import type { QuestionType } from "../understanding/question-type.js";
import type { ComposeOptions } from "./compose.js";

/** How an answer was produced. */
export type AnswerKind = "faq" | "extractive" | "generative" | "refusal" | "handoff" | "smalltalk" | "clarify";

/** A numbered source of an answer: document id, title, citation path inside it, and URL. */
export interface SourceRef {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
}

/** Scores and decisions behind an answer, for logs and the console (never shown to residents). */
export interface AnswerDiagnostics {
  readonly route: "refusal" | "retrieval" | "smalltalk";
  readonly refusal: string | null;
  readonly communeFrom: "request" | "question" | "default";
  readonly hits: ReadonlyArray<{ chunkId: string; relevance: number; coverage: number; phraseCoverage: number; bm25Rank: number | null; vectorRank: number | null; distance: number }>;
  readonly bestRelevance: number;
  /** Sentences quoted in an extractive answer, with their selection scores. */
  readonly excerpts?: ReadonlyArray<{ chunkId: string; score: number }>;
  /** How the question was read (no text: diagnostics are logged). */
  readonly understanding?: { readonly lang: "vi" | "en"; readonly qtype: QuestionType; readonly frames: readonly string[]; readonly smallTalk: string | null };
  /** The best curated entries and their scores. */
  readonly curated?: ReadonlyArray<{ chunkId: string; score: number; forward: number; backward: number }>;
  /** What the language model did, when one is configured (see generative.ts). */
  readonly llm?: LlmDiagnostics;
}

/** A language model's part in an answer: used or not, and why not. */
export interface LlmDiagnostics {
  readonly used: boolean;
  /**
   * Why the default answer was kept, null when the model's answer is used: "curated_faq",
   * "timeout", "rate_limited", "server_error", "rejected", "unreachable", "busy", "malformed",
   * "declined" (the model said the context does not answer), "cited_unknown",
   * "unfaithful:<what>" (e.g. "unfaithful:number 600000").
   */
  readonly reason: string | null;
  /** Provider and model ("ollama:qwen2.5:7b"). */
  readonly model: string;
  /** Calls made (0, 1, or 2 with the one retry). */
  readonly attempts: number;
  readonly ms: number;
  /** Chunk ids given to the model as context, in [n] order. */
  readonly context: readonly string[];
  /** The first attempt's problem, when the retry was needed. */
  readonly retried?: string;
}

/** The answer to one question. `answer` has [n] markers that refer to `sources[n-1]`. */
export interface AnswerResult {
  readonly answer: string;
  readonly kind: AnswerKind;
  /** 0..1: the relevance of the best supporting knowledge (1 for refusals decided by rule). */
  readonly confidence: number;
  /** The commune whose documents the answer used or was asked about; null when none applies. */
  readonly commune: string | null;
  readonly sources: readonly SourceRef[];
  readonly diagnostics: AnswerDiagnostics;
  /** For "clarify": the questions offered ("Có phải bà con muốn hỏi…?"), to render as buttons or links. */
  readonly suggestions?: readonly string[];
  /** Language of the reply ("en" for an English question). */
  readonly lang?: "vi" | "en";
}

export interface AnswerRequest {
  readonly question: string;
  /** Commune chosen by the channel (e.g. the web page's selector); overrides the question. */
  readonly commune?: string | null;
}

/** The answer's decision thresholds (fitted on the dev split only). */
export interface DecisionOptions {
  /** A curated entry at or above this score answers on its own. */
  readonly confident: number;
  /** Below `sure`, a second entry within `margin` of the first makes the answer a "did you mean". */
  readonly sure: number;
  readonly margin: number;
  /** The lead the best entry needs over the next for a question of one or two words. */
  readonly shortMargin: number;
  /** Entries at or above this score may be offered as suggestions. */
  readonly suggest: number;
  /** A single suggestion below the answer threshold is offered only when the question covers this much of it. */
  readonly loneSuggestion: number;
  /**
   * Least share of the question's weighted words an entry must explain to answer or be offered:
   * a short entry found whole inside an unrelated question ("lúa" folds like "lừa") scores well
   * on its own words but explains little of the question.
   */
  readonly minForward: number;
  /** Least coverage of the question by a passage for a quoted (extractive) answer. */
  readonly quoteCoverage: number;
  /** Below this share of the question explained by the best entry, passages may answer instead… */
  readonly passageChallenge: number;
  /** …when one covers the question by at least this much more. */
  readonly passageMargin: number;
}

export const DEFAULT_DECISION_OPTIONS: DecisionOptions = { confident: 0.33, sure: 0.5, margin: 0.01, shortMargin: 0.03, suggest: 0.3, loneSuggestion: 0.3, minForward: 0.25, quoteCoverage: 0.7, passageChallenge: 0.6, passageMargin: 0.25 };

export interface AnswerServiceDeps {
  readonly analyzer: Analyzer;
  readonly searcher: HybridSearcher;
  readonly curated: CuratedMatcher;
  readonly communes: CommuneDirectory;
  readonly defaultCommune: string;
  /** Embeds a prepared question for the vector side of retrieval. */
  readonly embedQuery: (analysis: Analysis, question: string) => Promise<number[]>;
  /** Title and URL of each knowledge document, for FAQ citations. */
  readonly documents: ReadonlyMap<string, { title: string; url: string | null }>;
  /** The URL of a cited section's own source ("Nguồn:" line), when it has one. */
  readonly sectionUrl?: (docId: string, section: string) => string | null;
  readonly decision?: Partial<DecisionOptions>;
  readonly compose?: Partial<ComposeOptions>;
  /** How many retrieved chunks the composer may quote from. */
  readonly topK?: number;
}

export interface AnswerService {
  answer(request: AnswerRequest): Promise<AnswerResult>;
}
