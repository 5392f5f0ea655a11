/**
 * The contract every answer keeps, as a zod schema: property and fuzz tests check `answer()`
 * against it for arbitrary input, and adapters may use it to check answers from elsewhere.
 */
import { z } from "zod/v4";
import type { AnswerResult } from "./answer-question.js";
import { DEFAULT_COMPOSE_OPTIONS } from "./compose.js";
import { QUESTION_TYPES } from "../understanding/question-type.js";

/**
 * Longest answer text, in characters (UTF-16 code units). The answer never echoes the question:
 * it is a canned reply (refusal, handoff: about 500 characters), a curated FAQ answer (about 120
 * words by the knowledge rules) or at most `maxSentences` quoted units of ≤ 120 words in total,
 * plus a lead line, heading labels, document notices and the default-commune note. Over the
 * whole knowledge folder the longest answer is about 1,100 characters; 3,000 leaves room for
 * longer notices and titles while an answer with its sources still fits one Telegram message
 * (4,096) or two Zalo messages (2,000 each).
 */
export const MAX_ANSWER_CHARS = 3000;

/** Most sources one answer cites: one per quoted unit in an extractive answer (5 by default). */
export const MAX_SOURCES = DEFAULT_COMPOSE_OPTIONS.maxSentences;

const score = z.number().min(0).max(1);
const rank = z.number().int().nonnegative().nullable();

export const SourceRefSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  section: z.string(),
  url: z.string().regex(/^https?:\/\//).nullable(),
});

export const AnswerDiagnosticsSchema = z.object({
  route: z.enum(["refusal", "retrieval", "smalltalk"]),
  refusal: z.string().min(1).nullable(),
  communeFrom: z.enum(["request", "question", "default"]),
  hits: z.array(
    z.object({
      chunkId: z.string().min(1),
      relevance: score,
      coverage: score,
      phraseCoverage: score,
      bm25Rank: rank,
      vectorRank: rank,
      distance: z.number().refine(Number.isFinite, "not finite"),
    }),
  ).readonly(),
  bestRelevance: score,
  excerpts: z.array(z.object({ chunkId: z.string().min(1), score: z.number().refine(Number.isFinite, "not finite") })).readonly().optional(),
  understanding: z
    .object({ lang: z.enum(["vi", "en"]), qtype: z.enum(QUESTION_TYPES), frames: z.array(z.string()).readonly(), smallTalk: z.string().nullable() })
    .optional(),
  curated: z.array(z.object({ chunkId: z.string().min(1), score, forward: score, backward: score })).readonly().optional(),
});

const answerFields = {
  answer: z
    .string()
    .max(MAX_ANSWER_CHARS)
    .refine((s) => s.trim().length > 0, "answer is blank"),
  kind: z.enum(["faq", "extractive", "generative", "refusal", "handoff", "smalltalk", "clarify"]),
  confidence: score,
  commune: z.string().min(1).nullable(),
  sources: z.array(SourceRefSchema).max(MAX_SOURCES).readonly(),
  /** "Có phải bà con muốn hỏi…?": the questions offered, only on a "clarify" answer. */
  suggestions: z.array(z.string().min(1)).min(1).max(3).readonly().optional(),
  lang: z.enum(["vi", "en"]).optional(),
};

/** Citations and kinds agree: every `[n]` has a source; refusals and handoffs cite none; FAQ and extractive answers cite. */
function checkCitations(r: { answer: string; kind: string; sources: readonly unknown[]; suggestions?: readonly string[] | undefined }, ctx: z.RefinementCtx): void {
  if ((r.kind === "clarify") !== (r.suggestions !== undefined)) {
    ctx.addIssue({ code: "custom", path: ["suggestions"], message: "suggestions come with a clarify answer, and only with it" });
  }
  for (const m of r.answer.matchAll(/\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > r.sources.length) ctx.addIssue({ code: "custom", path: ["answer"], message: `marker [${n}] has no source` });
  }
  if ((r.kind === "refusal" || r.kind === "handoff" || r.kind === "smalltalk" || r.kind === "clarify") && r.sources.length > 0) {
    ctx.addIssue({ code: "custom", path: ["sources"], message: `a ${r.kind} cites no source` });
  }
  if ((r.kind === "faq" || r.kind === "extractive") && r.sources.length === 0) {
    ctx.addIssue({ code: "custom", path: ["sources"], message: `an ${r.kind} answer cites its sources` });
  }
}

/**
 * An answer as `answer()` must return it: non-empty text within MAX_ANSWER_CHARS, confidence in
 * 0..1, at most MAX_SOURCES sources, every `[n]` marker pointing at one of them, no sources on
 * refusals and handoffs, and diagnostics with scores in range.
 */
export const AnswerResultSchema = z.object({ ...answerFields, diagnostics: AnswerDiagnosticsSchema }).superRefine(checkCitations);

/** The public JSON of an answer (`POST /api/ask`, `npm run ask -- --json`): no diagnostics, the time taken in ms. */
export const PublicAnswerSchema = z.object({ ...answerFields, ms: z.number().nonnegative() }).strict().superRefine(checkCitations);

// Compile-time guard: every AnswerResult type-checks against the schema, so a field the schema
// requires cannot disappear from the type unnoticed.
export type AnswerResultShape = z.input<typeof AnswerResultSchema>;
const _accepts = (r: AnswerResult): AnswerResultShape => r;
void _accepts;
