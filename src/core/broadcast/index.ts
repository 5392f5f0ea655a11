/**
 * Broadcast drafting for the commune radio (Đài truyền thanh xã): a script of a given length on a
 * topic, read from the knowledge folder, with numbers written as they are said and a separate,
 * not-read-aloud list of sources for the staff member to check.
 */
import { z } from "zod/v4";
import { DEFAULT_DECISION_OPTIONS, type AnswerRequest, type AnswerResult } from "../answering/answer-question.js";
import { vietnamDate } from "../answering/generative.js";
import type { Chunk } from "../knowledge/chunk.js";
import type { Commune, CommuneDirectory } from "../knowledge/communes.js";
import type { KnowledgeDoc } from "../knowledge/parse.js";
import { fold, tokenize } from "../text/normalize.js";
import {
  capitalize,
  countWords,
  gatherCandidates,
  noticeFacts,
  type Fact,
  type FactSource,
  type Item,
} from "./compose.js";
import { selectCallToAction, selectItems } from "./select.js";
import {
  CALL_TO_ACTION_FALLBACK,
  CALL_TO_ACTION_LEAD,
  INVALID_REQUEST_MESSAGES,
  NOTICE_LEAD,
  closingText,
  durationNote,
  notCoveredMessage,
  openingText,
  shortMaterialNote,
} from "./messages.js";
import { DEFAULT_WORDS_PER_MINUTE } from "./rate.js";
import { draftBodyWithModel, type BroadcastLlm } from "./generative.js";
import { toSpoken } from "./spoken.js";
import { TOPIC_PROFILES, matchTopic, type SourceSpec } from "./topics.js";
import type { Broadcaster, BroadcastOutcome, BroadcastScript, BroadcastSource } from "./types.js";

export { broadcastReadAloudText, broadcastSourcesText, broadcastToMarkdown, broadcastToText } from "./render.js";
export { broadcastToDocx } from "./docx.js";
export { spellDate, spellDigits, spellInteger, spellNumber, toSpoken } from "./spoken.js";

export { DEFAULT_WORDS_PER_MINUTE } from "./rate.js";
export type { BroadcastLlm } from "./generative.js";
export type { Broadcaster, BroadcastOutcome, BroadcastRequest, BroadcastScript, BroadcastSource } from "./types.js";

/** What the broadcaster needs from the engine (the running Engine has all of it). */
export interface BroadcastEngine {
  answer(request: AnswerRequest): Promise<AnswerResult>;
  /** The answerer without the language model, when the engine has one (a free topic's retrieval needs no model text). */
  answerDefault?(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: { readonly docs: readonly KnowledgeDoc[]; readonly chunks: readonly Chunk[]; readonly communes: CommuneDirectory };
  readonly defaultCommune: string;
}

/** Validation of BroadcastRequest (the commune id is checked against the knowledge at draft time). */
export const BroadcastRequestSchema = z.object({
  topic: z.string().trim().min(2).max(200),
  minutes: z.number().min(1).max(15),
  commune: z.string().trim().nullish(),
  audience: z.string().trim().max(100).nullish(),
});

/** Share of the target length the body may over- or undershoot while items are chosen. */
const FIT_SLACK = 0.04;
/** Below this share of the requested length, the staff are told the knowledge runs short. */
const SHORT_SHARE = 0.85;

/**
 * Creates the broadcaster. The engine's knowledge is read at each draft, so a re-indexed engine
 * is used as soon as it is in place. `wordsPerMinute` defaults to DEFAULT_WORDS_PER_MINUTE.
 */
export function createBroadcaster(deps: {
  engine: BroadcastEngine;
  wordsPerMinute?: number;
  /** The language model to write the body with, read at each draft; absent or null = the composer alone. */
  llm?: () => BroadcastLlm | null;
  /** Milliseconds since the epoch, for "today" in the model's prompt. */
  clock?: () => number;
}): Broadcaster {
  const wpm = deps.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE;
  const now = deps.clock ?? Date.now;
  return {
    async draft(request) {
      const parsed = BroadcastRequestSchema.safeParse(request);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path[0];
        const message = typeof field === "string" && field in INVALID_REQUEST_MESSAGES ? INVALID_REQUEST_MESSAGES[field as keyof typeof INVALID_REQUEST_MESSAGES] : INVALID_REQUEST_MESSAGES.other;
        return { ok: false, reason: "invalid_request", message };
      }
      const { engine } = deps;
      const knowledge = engine.knowledge;
      const topic = parsed.data.topic.normalize("NFC");
      const requested = parsed.data.commune ? knowledge.communes.get(parsed.data.commune) : undefined;
      if (parsed.data.commune && !requested) return { ok: false, reason: "invalid_request", message: INVALID_REQUEST_MESSAGES.commune };
      const commune = requested ?? knowledge.communes.detect(tokenize(fold(topic)))?.commune ?? knowledge.communes.get(engine.defaultCommune) ?? knowledge.communes.all[0];
      if (!commune) return { ok: false, reason: "invalid_request", message: INVALID_REQUEST_MESSAGES.commune };

      const plan = await planTopic(engine, knowledge, topic, commune);
      const notCovered = (): BroadcastOutcome => ({
        ok: false,
        reason: "topic_not_covered",
        message: notCoveredMessage(topic, TOPIC_PROFILES.map((p) => p.title.replace(/:.*$/, ""))),
      });
      if (!plan) return notCovered();
      const candidates = gatherCandidates({ specs: plan.specs, chunks: knowledge.chunks, docs: knowledge.docs, commune, faqFirst: plan.faqFirst });
      if (candidates.items.length === 0) return notCovered();
      const lead = plan.lead;
      const items = lead
        ? [...candidates.items.filter((i) => i.facts.some((f) => lead.test(f.original))), ...candidates.items.filter((i) => !i.facts.some((f) => lead.test(f.original)))]
        : candidates.items;

      const script = compose({
        topic,
        title: plan.title,
        subject: plan.subject,
        items,
        commune,
        docs: knowledge.docs,
        chunks: knowledge.chunks,
        minutes: parsed.data.minutes,
        audience: parsed.data.audience ?? null,
        wpm,
      });
      const llm = deps.llm?.() ?? null;
      if (!llm) return { ok: true, script };
      return { ok: true, script: await draftBodyWithModel(script, llm, { audience: parsed.data.audience ?? null, today: vietnamDate(now()) }) };
    },
  };
}

/** The sources and title of a topic: a known profile, else what the engine's retrieval finds. */
async function planTopic(
  engine: BroadcastEngine,
  knowledge: BroadcastEngine["knowledge"],
  topic: string,
  commune: Commune,
): Promise<{ specs: readonly SourceSpec[]; title: string; subject: string; faqFirst: readonly Chunk[]; lead?: RegExp } | null> {
  const profile = matchTopic(topic);
  if (profile) return { specs: profile.sources, title: profile.title, subject: profile.subject, faqFirst: [], ...(profile.lead ? { lead: profile.lead } : {}) };

  // A free topic: the answer service decides whether the knowledge covers it (refusals, the
  // relevance threshold), and its retrieval hits say where.
  const result = await (engine.answerDefault ?? engine.answer)({ question: topic, commune: commune.id });
  if (result.kind === "refusal" || result.kind === "handoff" || result.kind === "smalltalk") return null;
  const byId = new Map(knowledge.chunks.map((c) => [c.id, c]));
  // The curated entries the answer (or its "did you mean") rests on, then the passages it searched.
  const curated = (result.diagnostics.curated ?? []).filter((c) => c.score >= DEFAULT_DECISION_OPTIONS.suggest).slice(0, 3);
  const hits = [...curated.map((c) => c.chunkId), ...result.diagnostics.hits.map((h) => h.chunkId)].map((id) => byId.get(id)).filter((c): c is Chunk => c !== undefined);
  if (hits.length === 0) return null;
  const passages = hits.filter((c) => !c.faq);
  const faqs = hits.filter((c) => c.faq);
  const specs: SourceSpec[] = [
    ...passages.map((c) => ({ doc: c.docId, sections: [c.section] })),
    ...faqs.flatMap((c) => (c.faq?.cites ?? []).map((cite) => (cite.section ? { doc: cite.docId, sections: [cite.section] } : { doc: cite.docId }))),
  ];
  for (const docId of new Set(specs.map((s) => s.doc))) specs.push({ doc: docId });
  const firstDoc = specs[0]?.doc;
  const title = knowledge.docs.find((d) => d.meta.id === firstDoc)?.meta.title ?? capitalize(topic);
  return { specs, title, subject: title, faqFirst: faqs };
}

/** The name the commune is called by today, and the knowledge that says so. */
function communeNaming(commune: Commune, docs: readonly KnowledgeDoc[], chunks: readonly Chunk[]): { name: string; former: string | null; fact: Fact | null; note: string | null } {
  const current = commune.current_unit && commune.current_unit_status !== "chưa xác minh" ? /^xã\s+([^,]+)/iu.exec(commune.current_unit)?.[1]?.trim() : undefined;
  if (!current || fold(current) === fold(commune.name)) return { name: commune.name, former: null, fact: null, note: null };
  const context = docs.find((d) => d.meta.kind === "context" && d.meta.commune === commune.id)?.meta.id;
  const chunk = chunks.find((c) => c.docId === context && !c.faq && c.text.includes(`xã ${current}`) && c.text.includes(commune.name));
  const note =
    commune.current_unit_status === "xác minh một phần"
      ? `Tên xã hiện nay (${commune.current_unit}) mới được xác minh một phần; trước khi phát, kiểm tra lại tên xã mới (xã ${commune.name} cũ đã sáp nhập).`
      : null;
  const fact: Fact | null = chunk
    ? { spoken: "", original: chunk.text, source: { docId: chunk.docId, title: chunk.title, section: chunk.section, url: chunk.url, asOf: chunk.asOf } }
    : null;
  return { name: current, former: commune.name, fact, note };
}

function words(texts: readonly string[]): number {
  return texts.reduce((n, t) => n + countWords(t), 0);
}


function compose(p: {
  topic: string;
  title: string;
  subject: string;
  items: readonly Item[];
  commune: Commune;
  docs: readonly KnowledgeDoc[];
  chunks: readonly Chunk[];
  minutes: number;
  audience: string | null;
  wpm: number;
}): BroadcastScript {
  const target = Math.round(p.minutes * p.wpm);
  const short = p.minutes < 2;
  const naming = communeNaming(p.commune, p.docs, p.chunks);
  const title = capitalize(toSpoken(p.title)).replace(/[.]$/, "");
  const subject = toSpoken(p.subject).replace(/[.]$/, "");
  const opening = openingText({ name: naming.name, former: naming.former, audience: p.audience, subject, short });
  const closing = closingText({ name: naming.name, short });

  const ctaCount = p.minutes <= 1.5 ? 1 : p.minutes <= 4 ? 2 : 3;
  const cta = selectCallToAction(p.items, ctaCount);
  const callToAction = `${CALL_TO_ACTION_LEAD} ${cta.length ? cta.map((f) => f.spoken).join(" ") : CALL_TO_ACTION_FALLBACK}`;
  const exclude = new Set(cta.map((f) => f.original));
  const fixed = words([title, opening, closing, callToAction]);
  const slack = Math.round(FIT_SLACK * target);

  // The notices depend on which documents are read, and take room from the body: settle both.
  let notices: Fact[] = [];
  let body: Item[] = [];
  // A notice once needed is kept while the body is re-chosen, so the choice cannot oscillate (it
  // stays a caveat on the topic even if its document's passages are then left out).
  const docsUsed = () => [...new Set([...body.flatMap((i) => i.facts), ...cta].map((f) => f.source.docId))];
  for (let pass = 0; pass < 3; pass++) {
    const noticeWords = notices.length ? words([NOTICE_LEAD, ...notices.map((f) => f.spoken)]) : 0;
    body = selectItems(p.items, Math.max(0, target - fixed - noticeWords), slack, exclude, [...notices, ...cta].map((f) => f.original));
    const known = new Set(notices.map((f) => f.source.docId));
    const added = noticeFacts(docsUsed(), p.docs, p.chunks).filter((f) => !known.has(f.source.docId));
    if (added.length === 0) break;
    notices = [...notices, ...added];
  }

  const paragraphs: string[] = [];
  if (notices.length) paragraphs.push(`${NOTICE_LEAD} ${notices.map((f) => f.spoken).join(" ")}`);
  let group: string | null = null;
  for (const item of body) {
    const text = item.facts.map((f) => f.spoken).join(" ");
    if (item.group === group && !item.whole && paragraphs.length) paragraphs[paragraphs.length - 1] += ` ${text}`;
    else paragraphs.push(text);
    group = item.whole ? null : item.group;
  }

  // Sources in the order their facts are heard.
  const sources: BroadcastSource[] = [];
  const byKey = new Map<string, { source: FactSource; quotes: string[] }>();
  const cite = (fact: Fact) => {
    const key = `${fact.source.docId}\u0000${fact.source.section}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { source: fact.source, quotes: [] };
      byKey.set(key, entry);
    }
    if (!entry.quotes.includes(fact.original)) entry.quotes.push(fact.original);
  };
  if (naming.fact) cite(naming.fact);
  for (const f of notices) cite(f);
  for (const f of body.flatMap((i) => i.facts)) cite(f);
  for (const f of cta) cite(f);
  for (const { source, quotes } of byKey.values()) sources.push({ n: sources.length + 1, ...source, quotes });

  const wordCount = words([title, opening, ...paragraphs, callToAction, closing]);
  const estimatedSeconds = Math.round((wordCount / p.wpm) * 60);
  const targetSeconds = Math.round(p.minutes * 60);
  const notes = [
    durationNote({ estimatedSeconds, targetSeconds, wordCount, wordsPerMinute: p.wpm }),
    "Các con số, ngày tháng đã được viết thành chữ để đọc; đối chiếu với phần trích nguồn bên dưới trước khi phát.",
    ...(naming.note ? [naming.note] : []),
    ...(estimatedSeconds < targetSeconds * SHORT_SHARE ? [shortMaterialNote(estimatedSeconds)] : []),
  ];

  return {
    topic: p.topic,
    commune: { id: p.commune.id, name: naming.name },
    title,
    opening,
    body: paragraphs,
    callToAction,
    closing,
    wordCount,
    wordsPerMinute: p.wpm,
    estimatedSeconds,
    targetSeconds,
    sources,
    notes,
  };
}
