/**
 * The generative answerer: it wraps the default (extractive) answerer and lets a language model
 * rewrite its answer fluently from the same retrieved knowledge — never less truthfully. The
 * default decides first: refusals and handoffs are returned as they are (the model is not
 * called, so nothing in a question can switch them off), and so are curated FAQ answers. The
 * model then gets the retrieved chunks as numbered data, answers in JSON, and its answer is used
 * only if the guard (guard.ts) passes: one retry names the violation, after that — and on any
 * timeout, rate limit, server error or malformed reply — the default answer is returned with the
 * reason in `diagnostics.llm`.
 */
import { z } from "zod/v4";
import type { Chunk } from "../knowledge/chunk.js";
import type { Commune, CommuneDirectory } from "../knowledge/communes.js";
import type { ChatMessage, LanguageModel, PromptSet } from "../ports.js";
import { maskSensitive } from "../privacy/mask.js";
import { officeSource, type AnswerResult, type AnswerService, type LlmDiagnostics, type SourceRef } from "./answer-question.js";
import { checkFaithfulness, MALFORMED_FOR_MODEL, violationForModel, violationReason } from "./guard.js";
import { defaultCommuneNote } from "./replies.js";
import type { LeakCheck } from "./leak.js";

/** The model's reply: an answer with [n] markers, the context numbers it used, and whether the context answers at all. */
export const AnswerReplySchema = z.object({
  answer: z.string().trim().min(1).max(6000),
  cited: z
    .array(z.union([z.number(), z.string()]))
    .default([])
    .transform((list) => list.map((x) => (typeof x === "number" ? x : Number(/\d+/.exec(x)?.[0] ?? Number.NaN))).filter((n) => Number.isInteger(n))),
  answerable: z.boolean().optional(),
});

export interface GenerativeAnswererDeps {
  /** The default answerer whose decisions and retrieval the generative one reuses. */
  readonly base: AnswerService;
  readonly model: LanguageModel;
  readonly prompts: PromptSet;
  /** Looks a retrieved chunk up by id (the engine's knowledge). */
  readonly chunk: (id: string) => Chunk | undefined;
  /** Title and URL of each knowledge document (FAQ citations). */
  readonly documents: ReadonlyMap<string, { title: string; url: string | null }>;
  readonly communes: CommuneDirectory;
  readonly defaultCommune: string;
  /** Milliseconds since the epoch; "today" in the prompt is taken in Vietnam's time zone. */
  readonly clock?: () => number;
  /** How many retrieved chunks the model sees (default 5). */
  readonly maxContext?: number;
  /** Refuses answers that repeat the prompts or a configured secret (see leak.ts). */
  readonly leakCheck?: LeakCheck;
}

/** A numbered context block: the chunk and the exact text the model was shown. */
interface Block {
  readonly n: number;
  readonly chunk: Chunk;
  readonly text: string;
}

const MARKERS = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** d/m/yyyy of an instant, in Vietnam (UTC+7, no daylight saving). */
export function vietnamDate(ms: number): string {
  const d = new Date(ms + VIETNAM_OFFSET_MS);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
}

/** "2026-11-01" → "1/11/2026". */
function isoToDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : iso;
}

/** Retrieved text goes into the prompt as data: tag-like sequences could close our delimiters. */
function asData(text: string): string {
  return text.replace(/<\/?[a-z_]+>/gi, "").trim();
}

/** The prompt's name for a commune: "xã Cộng Hòa (xã Cộng Hòa, huyện Vụ Bản, tỉnh Nam Định)". */
export function promptCommuneLabel(commune: Commune): string {
  return `xã ${commune.name} (${commune.former_unit})`;
}

/** The retrieved chunks, best first: the ones the default quoted, then the rest by relevance. */
function contextBlocks(deps: GenerativeAnswererDeps, maxContext: number, base: AnswerResult): Block[] {
  const ids: string[] = [];
  for (const e of base.diagnostics.excerpts ?? []) if (!ids.includes(e.chunkId)) ids.push(e.chunkId);
  for (const h of [...base.diagnostics.hits].sort((a, b) => b.relevance - a.relevance)) if (!ids.includes(h.chunkId)) ids.push(h.chunkId);
  const blocks: Block[] = [];
  for (const id of ids) {
    const chunk = deps.chunk(id);
    if (!chunk) continue;
    const n = blocks.length + 1;
    const heading = `[${n}] ${asData(chunk.title)}${chunk.section ? ` › ${asData(chunk.section)}` : ""} (${isoToDate(chunk.asOf)})`;
    blocks.push({ n, chunk, text: `${heading}\n${asData(chunk.text)}` });
    if (blocks.length >= maxContext) break;
  }
  return blocks;
}

/** Where a cited chunk's facts come from: its document section, or an FAQ entry's first citation. */
function sourceOf(deps: GenerativeAnswererDeps, chunk: Chunk): SourceRef {
  const cite = chunk.faq?.cites[0];
  if (cite) {
    const doc = deps.documents.get(cite.docId);
    return { id: cite.docId, title: doc?.title ?? cite.docId, section: cite.section ?? "", url: doc?.url ?? null };
  }
  if (chunk.faq) return officeSource(chunk, chunk.faq);
  return { id: chunk.docId, title: chunk.title, section: chunk.section, url: chunk.url };
}

function finish(deps: GenerativeAnswererDeps, base: AnswerResult, blocks: readonly Block[], text: string, cited: readonly number[], llm: LlmDiagnostics): AnswerResult {
  const sources: SourceRef[] = [];
  const numberOf = new Map<number, number>();
  for (const n of cited) {
    const ref = sourceOf(deps, (blocks[n - 1] as Block).chunk);
    const at = sources.findIndex((s) => s.id === ref.id && s.section === ref.section);
    if (at >= 0) numberOf.set(n, at + 1);
    else {
      sources.push(ref);
      numberOf.set(n, sources.length);
    }
  }
  const renumbered = text.replace(MARKERS, (_m, list: string) => {
    const numbers = [...new Set(list.split(/[,;]/).map((x) => numberOf.get(Number(x.trim()))))];
    return numbers.map((n) => `[${n}]`).join("");
  });
  const chunks = cited.map((n) => (blocks[n - 1] as Block).chunk);
  const parts = [renumbered];
  // The documents' standing caveats and the default-commune note, as the default answer adds them.
  for (const notice of new Set(chunks.map((c) => c.notice).filter((x): x is string => x !== null))) parts.push(`Lưu ý: ${notice}`);
  const communeId = chunks.find((c) => c.commune)?.commune ?? null;
  const own = communeId ? deps.communes.get(communeId) : undefined;
  if (own && base.diagnostics.communeFrom === "default") parts.push(defaultCommuneNote(own, deps.communes.all));
  return {
    answer: parts.join("\n"),
    kind: "generative",
    confidence: base.confidence,
    commune: communeId ?? (base.diagnostics.communeFrom === "default" ? null : base.commune),
    sources,
    diagnostics: { ...base.diagnostics, llm },
  };
}

/** Creates the generative answerer (same interface as the default one). */
export function createGenerativeAnswerer(deps: GenerativeAnswererDeps): AnswerService {
  const maxContext = deps.maxContext ?? 5;
  const now = deps.clock ?? Date.now;

  return {
    async answer(request) {
      const base = await deps.base.answer(request);
      // Refusals and handoffs are decided without the model; a curated answer is kept as written.
      if (base.kind === "refusal" || base.kind === "handoff") return base;
      const skip = (reason: string, blocks: readonly Block[] = [], attempts = 0, ms = 0, retried?: string): AnswerResult => ({
        ...base,
        diagnostics: {
          ...base.diagnostics,
          llm: { used: false, reason, model: deps.model.id, attempts, ms, context: blocks.map((b) => b.chunk.id), ...(retried ? { retried } : {}) },
        },
      });
      if (base.kind === "faq") return skip("curated_faq");

      const blocks = contextBlocks(deps, maxContext, base);
      if (blocks.length === 0) return skip("no_context");
      const communeId = base.diagnostics.communeFrom === "default" ? deps.defaultCommune : (base.commune ?? deps.defaultCommune);
      const commune = deps.communes.get(communeId) ?? deps.communes.get(deps.defaultCommune);
      const today = vietnamDate(now());
      const messages: ChatMessage[] = [
        { role: "system", content: deps.prompts.render("system", { commune: commune ? promptCommuneLabel(commune) : communeId, today }) },
        {
          role: "user",
          content: deps.prompts.render("answer", {
            context: blocks.map((b) => b.text).join("\n\n"),
            question: asData(maskSensitive(request.question.normalize("NFC").trim())),
          }),
        },
      ];
      const evidence = new Map(blocks.map((b) => [b.n, b.text]));

      let ms = 0;
      let retried: string | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        const reply = await deps.model.completeJson(messages, AnswerReplySchema);
        ms += reply.ms;
        let problem: { reason: string; forModel: string };
        if (!reply.ok) {
          if (reply.reason !== "malformed") return skip(reply.reason, blocks, attempt, ms, retried);
          problem = { reason: "malformed", forModel: MALFORMED_FOR_MODEL };
        } else if (reply.value.answerable === false) {
          return skip("declined", blocks, attempt, ms, retried);
        } else {
          const text = cleanAnswer(reply.value.answer);
          const check = checkFaithfulness({ text, cited: reply.value.cited, evidence, allowed: today });
          // An answer that repeats the instructions or a secret is never shown, and not retried:
          // the model is following text it should have treated as data.
          const leak = deps.leakCheck?.check(text, [...evidence.values()].join("\n")) ?? null;
          if (leak) return skip(`leak:${leak}`, blocks, attempt, ms, retried);
          if (check.ok) {
            const llm: LlmDiagnostics = { used: true, reason: null, model: deps.model.id, attempts: attempt, ms, context: blocks.map((b) => b.chunk.id), ...(retried ? { retried } : {}) };
            return finish(deps, base, blocks, text, check.cited, llm);
          }
          problem = { reason: violationReason(check.violation), forModel: violationForModel(check.violation) };
        }
        if (attempt === 2) return skip(problem.reason, blocks, attempt, ms, retried);
        retried = problem.reason;
        messages.push({ role: "assistant", content: reply.text ?? "" }, { role: "user", content: deps.prompts.render("retry", { violation: problem.forModel }) });
      }
      return skip("malformed", blocks, 2, ms, retried);
    },
  };
}

/** The model's answer text, without a sources list it may have added (the channels render ours). */
function cleanAnswer(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\n+[ \t]*(?:\*\*)?(?:Nguồn|Nguồn tham khảo|Tài liệu tham khảo)[ \t]*(?:\*\*)?[ \t]*:[\s\S]*$/u, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
