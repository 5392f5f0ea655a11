/**
 * The answers the default answerer (answer-question.ts) gives, built from what it decided: a
 * curated answer with its sources, a quoted (extractive) answer, "Có phải bà con muốn hỏi…?",
 * or a hand-off that says whom to ask.
 */
import type { Chunk, FaqEntry } from "../knowledge/chunk.js";
import type { Commune } from "../knowledge/communes.js";
import type { CuratedCandidate } from "../retrieval/curated.js";
import type { RetrievalHit } from "../retrieval/hybrid.js";
import type { Analysis } from "../text/analyze.js";
import type { Word } from "../text/normalize.js";
import type { QuestionType } from "../understanding/question-type.js";
import type { Understanding } from "../understanding/understand.js";
import type { AnswerDiagnostics, AnswerResult, AnswerServiceDeps, DecisionOptions, SourceRef } from "./answer-types.js";
import { answersType, asksAboutPlan, capitalize, handoffTopic, hitDiagnostics, mentionsCurrentUnit, mentionsField, round } from "./answer-rules.js";
import type { Composer, Excerpt } from "./compose.js";
import { clarifyReply, communeLabel, defaultCommuneNote, handoffReply, refusalReply } from "./replies.js";

/** What the answer builders share: the answerer's dependencies and tuning. */
export interface AnswerRuntime {
  readonly deps: AnswerServiceDeps;
  readonly d: DecisionOptions;
  readonly topK: number;
  readonly composer: Composer;
}

/**
 * The source of an FAQ entry that cites no knowledge document: who answered it (its "Nguồn:"
 * office, e.g. "Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, 22/11/2026"), else the FAQ file
 * itself; without a link either way (the file header's first link is about something else).
 */
export function officeSource(chunk: Chunk, entry: FaqEntry): SourceRef {
  return entry.office ? { id: chunk.docId, title: entry.office, section: "", url: null } : { id: chunk.docId, title: chunk.title, section: entry.question, url: null };
}


export interface AnswerContext {
  readonly u: Understanding;
  readonly commune: Commune | undefined;
  readonly communeFrom: AnswerDiagnostics["communeFrom"];
  readonly diagnostics: AnswerDiagnostics;
}

export function clarify(suggestions: readonly CuratedCandidate[], ctx: AnswerContext): AnswerResult {
  const questions = suggestions.map((c) => c.entry.chunk.faq?.question ?? c.entry.chunk.section);
  return { answer: clarifyReply(questions, ctx.u.lang), kind: "clarify", confidence: round(suggestions[0]?.score ?? 0), commune: null, sources: [], suggestions: questions, lang: ctx.u.lang, diagnostics: ctx.diagnostics };
}

export function handoff(rt: AnswerRuntime, ctx: AnswerContext, candidates: readonly CuratedCandidate[], routing: readonly Word[]): AnswerResult {
  // The nearest entry hints at the topic only when it was near enough to be offered.
  const topic = handoffTopic(ctx.u, routing, candidates.filter((c) => c.score >= rt.d.suggest));
  // Nothing in the question belongs to the assistant's field (phones, the Internet, money and
  // papers online, the commune): it is off-topic, and declining says so more plainly than
  // "no information" would.
  if (topic === "general" && !mentionsField(routing)) {
    const match = { category: "off_topic", label: null, redirect: null } as const;
    return { answer: refusalReply(match, ctx.u.lang), kind: "refusal", confidence: 1, commune: null, sources: [], lang: ctx.u.lang, diagnostics: { ...ctx.diagnostics, route: "refusal", refusal: "off_topic" } };
  }
  return { answer: handoffReply(topic, ctx.u.lang), kind: "handoff", confidence: round(candidates[0]?.score ?? 0), commune: null, sources: [], lang: ctx.u.lang, diagnostics: ctx.diagnostics };
}

export function faqAnswer(rt: AnswerRuntime, candidate: CuratedCandidate, ctx: AnswerContext): AnswerResult {
  const chunk = candidate.entry.chunk;
  const entry = chunk.faq;
  if (!entry) throw new Error("faqAnswer called with a non-FAQ chunk");
  const sources: SourceRef[] = entry.cites.map((c) => {
    const doc = rt.deps.documents.get(c.docId);
    const own = c.section ? (rt.deps.sectionUrl?.(c.docId, c.section) ?? null) : null;
    return { id: c.docId, title: doc?.title ?? c.docId, section: c.section ?? "", url: own ?? doc?.url ?? null };
  });
  // An entry that cites no document rests on who answered it (the commune office for staff
  // entries), never on whatever link the FAQ file's header happens to list first.
  if (entry.office || sources.length === 0) sources.push(officeSource(chunk, entry));
  const own = chunk.commune ? rt.deps.communes.get(chunk.commune) : undefined;
  const parts = [entry.answer];
  if (entry.next) parts.push(`${chunk.lang === "en" ? "Next" : "Tiếp theo"}: ${entry.next}`);
  if (own && ctx.communeFrom === "default") parts.push(defaultCommuneNote(own, rt.deps.communes.all));
  else if (own && !mentionsCurrentUnit(entry.answer, own)) parts.push(`(${capitalize(communeLabel(own))}.)`);
  return {
    answer: parts.join("\n\n"),
    kind: "faq",
    confidence: round(candidate.score),
    commune: chunk.commune ?? (ctx.communeFrom === "default" ? null : (ctx.commune?.id ?? null)),
    sources: sources.slice(0, 5),
    lang: chunk.lang,
    diagnostics: ctx.diagnostics,
  };
}

/** A quoted answer from the documents, only when a sentence answers the kind of question asked. */
export async function quote(rt: AnswerRuntime, question: string, focus: Analysis, qtype: QuestionType, commune: Commune | undefined, namedCommune: boolean, ctx: AnswerContext, minCoverage: number): Promise<AnswerResult | null> {
  const vector = await rt.deps.embedQuery(focus, question);
  const { hits: found } = await rt.deps.searcher.search({
    analysis: focus,
    vector,
    commune: commune?.id ?? null,
    preferCommune: namedCommune || asksAboutPlan(focus) ? (commune?.id ?? null) : null,
    k: 2 * rt.topK,
  });
  const passages = found.filter((h) => !h.chunk.faq && h.coverage >= Math.max(minCoverage, rt.d.quoteCoverage) && h.phraseCoverage >= 0.5).slice(0, rt.topK);
  if (passages.length === 0) return null;
  const excerpts = rt.composer.select(focus, passages).filter((e) => answersType(e.sentence, qtype));
  if (excerpts.length === 0) return null;
  return extractiveAnswer(rt, excerpts, passages, ctx, commune, { ...ctx.diagnostics, hits: hitDiagnostics(passages), bestRelevance: round(passages[0]?.relevance ?? 0) });
}

function extractiveAnswer(rt: AnswerRuntime, excerpts: readonly Excerpt[], hits: readonly RetrievalHit[], ctx: AnswerContext, commune: Commune | undefined, diagnostics: AnswerDiagnostics): AnswerResult {
  const sources: SourceRef[] = [];
  const keyOf = (c: Chunk) => `${c.docId}\u0000${c.section}`;
  const numberOf = new Map<string, number>();
  for (const e of excerpts) {
    const key = keyOf(e.chunk);
    if (!numberOf.has(key)) {
      sources.push({ id: e.chunk.docId, title: e.chunk.title, section: e.chunk.section, url: e.chunk.url });
      numberOf.set(key, sources.length);
    }
  }
  const lines = excerpts.map((e) => {
    const { label, sentence } = rt.composer.render(e);
    return `${excerpts.length > 1 ? "- " : ""}${label ? `${label}: ` : ""}${sentence} [${numberOf.get(keyOf(e.chunk))}]`;
  });
  const first = excerpts[0]?.chunk as Chunk;
  const docs = new Set(excerpts.map((e) => e.chunk.docId));
  const usesCommune = excerpts.some((e) => e.chunk.commune !== null);
  const intro = docs.size === 1 && first.kind === "plan" && commune ? `Theo ${first.shortTitle} (${communeLabel(commune)}):` : `Theo tài liệu “${first.shortTitle}”:`;
  const parts = [intro, ...lines];
  for (const notice of new Set(excerpts.map((e) => e.chunk.notice).filter((n): n is string => n !== null))) parts.push(`Lưu ý: ${notice}`);
  if (usesCommune && commune && ctx.communeFrom === "default") parts.push(defaultCommuneNote(commune, rt.deps.communes.all));
  const relevance = Math.max(...hits.filter((h) => excerpts.some((e) => e.chunk.id === h.chunk.id)).map((h) => h.relevance));
  return {
    answer: parts.join("\n"),
    kind: "extractive",
    confidence: round(relevance),
    commune: usesCommune ? (commune?.id ?? null) : ctx.communeFrom === "default" ? null : (commune?.id ?? null),
    sources,
    lang: "vi",
    diagnostics: { ...diagnostics, excerpts: excerpts.map((e) => ({ chunkId: e.chunk.id, score: round(e.score) })) },
  };
}
