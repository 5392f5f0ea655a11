/**
 * Broadcast drafting with a language model: the composer's script stays the frame (opening,
 * document notices, call to action, closing, sources) and the fallback; the model rewrites the
 * body from the same numbered sources, writing numbers as digits and citing [n]. The body is used
 * only if it passes the answer guard (every number, date, amount, article, phone number and web
 * address occurs in a cited source) and a length check; one retry names the violation, then the
 * composer's body is kept. Numbers are spelled for reading only after the check.
 */
import { z } from "zod/v4";
import { checkFaithfulness, MALFORMED_FOR_MODEL, violationForModel, violationReason } from "../answering/guard.js";
import type { ChatMessage, LanguageModel, PromptSet } from "../ports.js";
import { capitalize, countWords, onAir } from "./compose.js";
import { durationNote, lengthForModel, MODEL_DRAFT_NOTE, modelFallbackNote, NOTICE_LEAD, SHORT_MATERIAL_LEAD } from "./messages.js";
import { toSpoken } from "./spoken.js";
import type { BroadcastScript } from "./types.js";

/** The language model and prompts a broadcaster may use. */
export interface BroadcastLlm {
  readonly model: LanguageModel;
  readonly prompts: PromptSet;
}

export const BroadcastReplySchema = z.object({
  body: z.array(z.string().trim().min(1)).min(1).max(20),
  cited: z
    .array(z.union([z.number(), z.string()]))
    .default([])
    .transform((list) => list.map((x) => (typeof x === "number" ? x : Number(/\d+/.exec(x)?.[0] ?? Number.NaN))).filter((n) => Number.isInteger(n))),
});

/** The body may be this much shorter or longer than asked before the model is asked again. */
const LENGTH_RANGE = [0.5, 1.6] as const;
const MARKERS = /\s*\[\d+(?:\s*[,;]\s*\d+)*\]/g;

function isoToDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : iso;
}

const words = (texts: readonly string[]) => texts.reduce((n, t) => n + countWords(t), 0);

/** A paragraph for the ear: no [n] markers, numbers and dates spelled, one final full stop. */
function forReading(paragraph: string): string {
  const spoken = toSpoken(paragraph.replace(MARKERS, "")).trim();
  return capitalize(/[.!?…]$/.test(spoken) ? spoken : `${spoken}.`);
}

/**
 * Rewrites the body of a composed script with the model. Returns the new script, or the given
 * one with a staff note and `llm.reason` when the model's text could not be used.
 */
export async function draftBodyWithModel(script: BroadcastScript, llm: BroadcastLlm, p: { audience: string | null; today: string }): Promise<BroadcastScript> {
  const notice = script.body[0]?.startsWith(NOTICE_LEAD) ? script.body[0] : null;
  const target = Math.round((script.targetSeconds / 60) * script.wordsPerMinute);
  const fixed = words([script.title, script.opening, script.callToAction, script.closing, ...(notice ? [notice] : [])]);
  const budget = Math.max(40, target - fixed);

  // The sentences the composer may read on air, under their source numbers; the others (the
  // commune's partly verified new name, unverified points) are not offered to the model.
  const blocks = script.sources.flatMap((s) => {
    const heading = `[${s.n}] ${s.title}${s.section ? ` › ${s.section}` : ""} (${isoToDate(s.asOf)})`;
    const quotes = (s.quotes ?? []).filter(onAir).map((q) => `- ${q.replace(/<\/?[a-z_]+>/gi, "")}`);
    return quotes.length ? [{ n: s.n, text: [heading, ...quotes].join("\n") }] : [];
  });
  if (blocks.length === 0) return { ...script, llm: { used: false, reason: "no_context", model: llm.model.id, attempts: 0, ms: 0 } };
  const evidence = new Map(blocks.map((b) => [b.n, b.text]));
  const messages: ChatMessage[] = [
    {
      role: "user",
      content: llm.prompts.render("broadcast", {
        commune: `xã ${script.commune.name}`,
        today: p.today,
        topic: script.topic,
        words: String(budget),
        audience: p.audience ?? "bà con nhân dân trong xã",
        sources: blocks.map((b) => b.text).join("\n\n"),
      }),
    },
  ];

  let ms = 0;
  let retried: string | undefined;
  const fallback = (reason: string, attempts: number): BroadcastScript => ({
    ...script,
    notes: [...(script.notes ?? []), modelFallbackNote(reason)],
    llm: { used: false, reason, model: llm.model.id, attempts, ms, ...(retried ? { retried } : {}) },
  });
  for (let attempt = 1; attempt <= 2; attempt++) {
    const reply = await llm.model.completeJson(messages, BroadcastReplySchema);
    ms += reply.ms;
    let problem: { reason: string; forModel: string };
    if (!reply.ok) {
      if (reply.reason !== "malformed") return fallback(reply.reason, attempt);
      problem = { reason: "malformed", forModel: MALFORMED_FOR_MODEL };
    } else {
      const written = reply.value.body.map((b) => b.trim()).filter(Boolean);
      const check = checkFaithfulness({ text: written.join("\n\n"), cited: reply.value.cited, evidence, allowed: p.today });
      const paragraphs = written.map(forReading);
      const length = words(paragraphs);
      if (!check.ok) problem = { reason: violationReason(check.violation), forModel: violationForModel(check.violation) };
      else if (length < budget * LENGTH_RANGE[0] || length > budget * LENGTH_RANGE[1]) problem = { reason: `length:${length}/${budget}`, forModel: lengthForModel(length, budget) };
      else return withBody(script, notice ? [notice, ...paragraphs] : paragraphs, { used: true, reason: null, model: llm.model.id, attempts: attempt, ms, ...(retried ? { retried } : {}) });
    }
    if (attempt === 2) return fallback(problem.reason, attempt);
    retried = problem.reason;
    messages.push({ role: "assistant", content: reply.text ?? "" }, { role: "user", content: llm.prompts.render("retry", { violation: problem.forModel }) });
  }
  return fallback("malformed", 2);
}

function withBody(script: BroadcastScript, body: readonly string[], llm: NonNullable<BroadcastScript["llm"]>): BroadcastScript {
  const wordCount = words([script.title, script.opening, ...body, script.callToAction, script.closing]);
  const estimatedSeconds = Math.round((wordCount / script.wordsPerMinute) * 60);
  const [, ...rest] = script.notes ?? [];
  // The composer's first note is its duration; the "knowledge runs short" note no longer applies.
  const kept = rest.filter((n) => !n.startsWith(SHORT_MATERIAL_LEAD));
  return {
    ...script,
    body,
    wordCount,
    estimatedSeconds,
    notes: [durationNote({ estimatedSeconds, targetSeconds: script.targetSeconds, wordCount, wordsPerMinute: script.wordsPerMinute }), ...kept, MODEL_DRAFT_NOTE],
    llm,
  };
}
