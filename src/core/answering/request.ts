import { z } from "zod/v4";
import { AppError, type ErrorCode } from "../errors.js";
import type { AnswerResult } from "./answer-question.js";

/** Longest question accepted, in characters (after trimming). */
export const MAX_QUESTION_CHARS = 2000;

/** Body of `POST /api/ask` and of one `--jsonl` line. */
export const AskRequestSchema = z.object({
  question: z.string(),
  commune: z.enum(["cong-hoa", "phu-tan"]).nullish(),
});
export type AskRequest = { question: string; commune?: "cong-hoa" | "phu-tan" | null };

/**
 * Validates an ask request and returns it with the question trimmed (NFC). Throws AppError
 * with INVALID_BODY, QUESTION_EMPTY, QUESTION_TOO_LONG or COMMUNE_UNKNOWN.
 */
export function parseAskRequest(input: unknown): AskRequest {
  const result = AskRequestSchema.safeParse(input);
  if (!result.success) {
    const communeIssue = result.error.issues.some((i) => i.path[0] === "commune");
    throw new AppError(communeIssue ? "COMMUNE_UNKNOWN" : "INVALID_BODY", result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const question = result.data.question.normalize("NFC").trim();
  const problem: ErrorCode | null = question.length === 0 ? "QUESTION_EMPTY" : [...question].length > MAX_QUESTION_CHARS ? "QUESTION_TOO_LONG" : null;
  if (problem) throw new AppError(problem);
  return { question, ...(result.data.commune ? { commune: result.data.commune } : {}) };
}

/** The public JSON shape of an answer (API, CLI `--json`), without internal diagnostics. */
export interface PublicAnswer {
  answer: string;
  kind: AnswerResult["kind"];
  confidence: number;
  commune: string | null;
  sources: Array<{ id: string; title: string; section: string; url: string | null }>;
  ms: number;
}

export function toPublicAnswer(result: AnswerResult, ms: number): PublicAnswer {
  return {
    answer: result.answer,
    kind: result.kind,
    confidence: result.confidence,
    commune: result.commune,
    sources: result.sources.map((s) => ({ id: s.id, title: s.title, section: s.section, url: s.url })),
    ...(result.suggestions ? { suggestions: [...result.suggestions] } : {}),
    ...(result.lang ? { lang: result.lang } : {}),
    ms: Math.round(ms * 100) / 100,
  };
}

/** Plain-text rendering for terminals and text-only channels: the answer, then numbered sources. */
export function formatAnswerText(result: Pick<AnswerResult, "answer" | "sources">): string {
  if (result.sources.length === 0) return result.answer;
  const lines = result.sources.map((s, i) => `[${i + 1}] ${s.title}${s.section ? ` › ${s.section}` : ""}${s.url ? ` (${s.url})` : ""}`);
  return `${result.answer}\n\nNguồn:\n${lines.join("\n")}`;
}
