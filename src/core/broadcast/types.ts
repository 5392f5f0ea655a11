/**
 * The shapes of broadcast drafting (requests, scripts, sources), in a leaf module: the drafter
 * (index.ts) and the parts that render or rewrite a script (render.ts, docx.ts, generative.ts)
 * all import them from here, so none of them imports index.ts back.
 */

/** A request for a script: topic (2–200 characters), length in minutes (1–15), commune id, audience named in the opening. */
export interface BroadcastRequest {
  readonly topic: string;
  readonly minutes: number;
  readonly commune?: string | null;
  readonly audience?: string | null;
}

/** A source of the script's facts (not read aloud). `quotes` are the knowledge sentences used, as written. */
export interface BroadcastSource {
  readonly n: number;
  readonly docId: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
  readonly asOf: string;
  readonly quotes?: readonly string[];
}

/**
 * A radio script. `title`, `opening`, `body` (paragraphs), `callToAction` and `closing` are read
 * aloud, in that order; `sources` and `notes` are for the staff member only.
 */
export interface BroadcastScript {
  readonly topic: string;
  readonly commune: { readonly id: string; readonly name: string };
  readonly title: string;
  readonly opening: string;
  readonly body: readonly string[];
  readonly callToAction: string;
  readonly closing: string;
  readonly wordCount: number;
  readonly wordsPerMinute: number;
  readonly estimatedSeconds: number;
  readonly targetSeconds: number;
  readonly sources: readonly BroadcastSource[];
  /** Points for the staff member to check before reading (not read aloud). */
  readonly notes?: readonly string[];
  /** Set when a language model is configured: whether it wrote the body, and if not why (see generative.ts). */
  readonly llm?: { readonly used: boolean; readonly reason: string | null; readonly model: string; readonly attempts: number; readonly ms: number; readonly retried?: string };
}

/** A script, or why none was drafted (a topic the knowledge does not cover, an invalid request). */
export type BroadcastOutcome =
  | { readonly ok: true; readonly script: BroadcastScript }
  | { readonly ok: false; readonly reason: "topic_not_covered" | "invalid_request"; readonly message: string };

/** Drafts radio scripts (see createBroadcaster). */
export interface Broadcaster {
  draft(request: BroadcastRequest): Promise<BroadcastOutcome>;
}
