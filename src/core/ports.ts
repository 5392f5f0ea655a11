import type { Embeddings } from "@langchain/core/embeddings";
import type { ZodType } from "zod/v4";

/** A nearest-neighbour hit: chunk id and cosine distance (0 = same direction, lower is better). */
export interface VectorHit {
  readonly chunkId: string;
  readonly distance: number;
}

/** The vector side of hybrid retrieval (implemented with HNSWLib in `storage/`). */
export interface VectorIndex {
  /** The `k` nearest chunks to `vector`, nearest first. */
  search(vector: number[], k: number): Promise<VectorHit[]>;
}

/** Whether a saved vector index's files match the checksums recorded when it was saved (/healthz). */
export interface IndexIntegrity {
  readonly ok: boolean;
  /** What is wrong, naming the file (null when ok). */
  readonly problem: string | null;
  /** When the files were last hashed in full (ISO 8601); null if they never were. */
  readonly verifiedAt: string | null;
}

/** An embedder with a stable identity, stored with the index so a change forces a rebuild. */
export interface IdentifiedEmbeddings extends Embeddings {
  readonly id: string;
}

/** Reports index-build progress (done of total chunks) to whoever is listening. */
export type ProgressReporter = (event: { phase: "parse" | "embed" | "save" | "load"; done: number; total: number }) => void;

/** One chat message sent to a language model. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/**
 * Why a language-model call gave no usable reply: the model took too long, the server said
 * "too many requests", failed (5xx), refused the request (other 4xx), could not be reached, our
 * own concurrency cap was full, or the reply was not the JSON asked for.
 */
export type LlmFailureReason = "timeout" | "rate_limited" | "server_error" | "rejected" | "unreachable" | "busy" | "malformed";

/** The outcome of one call: the reply parsed with the caller's schema, or why there is none. */
export type LlmReply<T> =
  | { readonly ok: true; readonly value: T; readonly text: string; readonly ms: number }
  | { readonly ok: false; readonly reason: LlmFailureReason; readonly detail: string; readonly text: string | null; readonly ms: number };

/** A chat model (implemented with LangChain in `llm/`). Never throws: failures are replies. */
export interface LanguageModel {
  /** Provider and model, e.g. "ollama:qwen2.5:7b" (for diagnostics). */
  readonly id: string;
  /** Sends `messages` and parses the reply text as a JSON object matching `schema`. */
  completeJson<T>(messages: readonly ChatMessage[], schema: ZodType<T>): Promise<LlmReply<T>>;
}

/** The placeholders each prompt file (`prompts/<name>.md`) must use, with their values. */
export interface PromptValues {
  readonly system: { readonly commune: string; readonly today: string };
  readonly answer: { readonly context: string; readonly question: string };
  readonly retry: { readonly violation: string };
  readonly rewrite: { readonly history: string; readonly question: string };
  readonly broadcast: { readonly commune: string; readonly today: string; readonly topic: string; readonly words: string; readonly audience: string; readonly sources: string };
}

export type PromptName = keyof PromptValues;

/** The prompt files, loaded and checked at start; `render` fills a prompt's placeholders. */
export interface PromptSet {
  render<N extends PromptName>(name: N, values: PromptValues[N]): string;
}
