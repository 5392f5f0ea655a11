/**
 * Follow-up rewriting with a language model: "còn xã Phú Tân thì sao?" after a question about
 * Cộng Hòa's broadband target becomes the full question for Phú Tân, before retrieval. Only the
 * previous question (kept in memory by the assistant, never stored) is sent, with identifying
 * numbers masked. A failure returns null: the caller keeps its deterministic expansion.
 */
import { z } from "zod/v4";
import type { LanguageModel, PromptSet } from "../ports.js";
import { maskSensitive } from "../privacy/mask.js";
import { MAX_QUESTION_CHARS } from "./request.js";

export const RewriteReplySchema = z.object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS) });

/** Rewrites `question` given the resident's earlier questions (oldest first); null when it cannot. */
export type QuestionRewriter = (history: readonly string[], question: string) => Promise<string | null>;

export function createQuestionRewriter(deps: { model: LanguageModel; prompts: PromptSet }): QuestionRewriter {
  const asData = (text: string) => maskSensitive(text.normalize("NFC").trim()).replace(/<\/?[a-z_]+>/gi, "");
  return async (history, question) => {
    if (history.length === 0) return null;
    const content = deps.prompts.render("rewrite", { history: history.map(asData).join("\n"), question: asData(question) });
    const reply = await deps.model.completeJson([{ role: "user", content }], RewriteReplySchema);
    return reply.ok ? reply.value.question.normalize("NFC") : null;
  };
}
