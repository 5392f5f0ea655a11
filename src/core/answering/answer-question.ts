/**
 * The default (no LLM) answerer. A question is understood (understanding/), then answered by the
 * first of: small talk; refusals decided by rule; the curated answers matched by the meaning of
 * the whole question; a quoted passage when a sentence answers the kind of question asked; a
 * hand-off that says whom to ask. The answers themselves are built in answer-results.ts, the
 * rules they use are in answer-rules.ts.
 */
import type { Commune } from "../knowledge/communes.js";
import type { CuratedCandidate } from "../retrieval/curated.js";
import type { Analysis } from "../text/analyze.js";
import type { Word } from "../text/normalize.js";
import { understand, type Understanding } from "../understanding/understand.js";
import { asksAboutPlan, round, sameAnswer } from "./answer-rules.js";
import { clarify, faqAnswer, handoff, quote, type AnswerContext, type AnswerRuntime } from "./answer-results.js";
import type { AnswerDiagnostics, AnswerRequest, AnswerResult, AnswerService, AnswerServiceDeps } from "./answer-types.js";
import { DEFAULT_DECISION_OPTIONS } from "./answer-types.js";
import { createComposer } from "./compose.js";
import { refusalReply, smallTalkReply } from "./replies.js";

export * from "./answer-types.js";
export { officeSource } from "./answer-results.js";

/** The most suggestions a "did you mean" offers. */
const MAX_SUGGESTIONS = 3;

/** What the question is about once read: its commune, and its asking part without the commune's name. */
interface Scope {
  readonly commune: Commune | undefined;
  readonly communeFrom: AnswerDiagnostics["communeFrom"];
  /** A commune named in the question, or chosen by the channel. */
  readonly communeGiven: boolean;
  readonly focus: Analysis;
  readonly context: Analysis | null;
}

/** Small talk and refusals decided by rule come before any search. */
function answerByRule(rt: AnswerRuntime, u: Understanding, routing: readonly Word[], base: Pick<AnswerDiagnostics, "refusal" | "hits" | "bestRelevance" | "understanding">): AnswerResult | null {
  if (u.smallTalk) {
    return { answer: smallTalkReply(u.smallTalk, u.lang), kind: "smalltalk", confidence: 1, commune: null, sources: [], lang: u.lang, diagnostics: { ...base, route: "smalltalk", communeFrom: "default" } };
  }
  const refusal = rt.deps.analyzer.lexicon.matchRefusalRule(routing);
  if (!refusal) return null;
  return {
    answer: refusalReply(refusal, u.lang),
    kind: "refusal",
    confidence: 1,
    commune: null,
    sources: [],
    lang: u.lang,
    diagnostics: { ...base, route: "refusal", refusal: refusal.category, communeFrom: "default" },
  };
}

/** Which commune (the channel's choice, else a name in the question, else the deployment's) and what is asked. */
function scopeOf(rt: AnswerRuntime, request: AnswerRequest, u: Understanding, routing: readonly Word[]): Scope {
  const { deps } = rt;
  const named = deps.communes.detect(routing.map((w) => w.f));
  const requested = request.commune ? deps.communes.get(request.commune) : undefined;
  const commune: Commune | undefined = requested ?? named?.commune ?? deps.communes.get(deps.defaultCommune);
  const communeFrom = requested ? "request" : named ? "question" : "default";
  // The commune name only selects documents; left in the question it would skew the scores.
  const withoutName = (words: readonly Word[]) => {
    const found = deps.communes.detect(words.map((w) => w.f));
    if (!found) return [...words];
    const start = found.start > 0 && words[found.start - 1]?.f === "xa" ? found.start - 1 : found.start;
    return [...words.slice(0, start), ...words.slice(found.end)];
  };
  let focus = deps.analyzer.analyzeRoutingWords(withoutName(u.focus));
  // "xã Phú Tân giờ là xã nào?": with the name removed nothing is left, so the name is the topic.
  if (focus.contentTokens.length === 0 && named) focus = deps.analyzer.analyzeRoutingWords(u.focus.length ? u.focus : routing);
  const context = u.context.length ? deps.analyzer.analyzeRoutingWords(withoutName(u.context)) : null;
  return { commune, communeFrom, communeGiven: named !== null || requested !== undefined, focus, context };
}

/** The curated entries first; a quoted passage when none answers well enough; else "did you mean" or a hand-off. */
async function decide(rt: AnswerRuntime, question: string, u: Understanding, routing: readonly Word[], scope: Scope, base: Pick<AnswerDiagnostics, "refusal" | "hits" | "bestRelevance" | "understanding">): Promise<AnswerResult> {
  const { d } = rt;
  const { commune, communeFrom, communeGiven, focus, context } = scope;
  const preferCommune = communeGiven || asksAboutPlan(focus) ? (commune?.id ?? null) : null;
  const matched = rt.deps.curated.match({ focus, context, qtype: u.qtype, lang: u.lang, commune: commune?.id ?? null, preferCommune, carriers: u.entities.carriers, phone: u.entities.phone }, 6);
  const candidates = matched.filter((c) => c.forward >= d.minForward);
  const curatedDiag = matched.map((c) => ({ chunkId: c.entry.chunk.id, score: round(c.score), forward: round(c.forward), backward: round(c.backward) }));
  const diagnostics: AnswerDiagnostics = { ...base, route: "retrieval", communeFrom, curated: curatedDiag };
  const ctx: AnswerContext = { u, commune, communeFrom, diagnostics };
  const quoteIf = (minCoverage: number) => quote(rt, question, focus, u.qtype, commune, communeGiven, ctx, minCoverage);

  const [top, second] = candidates;
  const suggestions = candidates.filter((c) => c.score >= d.suggest).slice(0, MAX_SUGGESTIONS);
  const canQuote = u.lang === "vi" && focus.contentTokens.length >= 2;
  if (top && top.score >= d.confident) {
    // The entry leaves part of the question unexplained: a passage that explains clearly
    // more of it answers better (an entry on mobile subscriptions, asked about fixed ones).
    if (canQuote && top.forward < d.passageChallenge) {
      const quoted = await quoteIf(top.forward + d.passageMargin);
      if (quoted) return quoted;
    }
    // A question of one or two words ("tiền", "đổi máy") fits many entries: unless one stands
    // out clearly, ask which was meant.
    const short = focus.contentTokens.length <= 2;
    const gap = !second || sameAnswer(top, second) ? 1 : top.score - second.score;
    const clear = short ? gap >= d.shortMargin : top.score >= d.sure || gap >= d.margin;
    if (clear || suggestions.length < 2) return faqAnswer(rt, top, ctx);
    return clarify(suggestions, ctx);
  }
  // Passages are searched only for Vietnamese questions (the documents are Vietnamese), and
  // only for a question of two content words or more: one word ("bong") finds a sentence
  // with that syllable, not an answer.
  if (canQuote) {
    const quoted = await quoteIf(d.quoteCoverage);
    if (quoted) return quoted;
  }
  // Below the answer threshold, "did you mean" needs either several close entries or one that
  // the question covers well from the entry's side too; a lone entry sharing a word or two
  // ("thôn", "đường") is no better a guess than a hand-off.
  if (suggestions.length > 1 || (suggestions[0] && (suggestions[0] as CuratedCandidate).backward >= d.loneSuggestion)) return clarify(suggestions, ctx);
  return handoff(rt, ctx, candidates, routing);
}

/**
 * Creates the default (no LLM) answerer. In order: small talk; refusals decided by rule; the
 * curated answers matched by the meaning of the whole question (confident answer, or "did you
 * mean" when close ones compete); a quoted passage only when a sentence answers the kind of
 * question asked; otherwise a hand-off that says whom to ask for this topic.
 */

export function createAnswerService(deps: AnswerServiceDeps): AnswerService {
  const d = { ...DEFAULT_DECISION_OPTIONS, ...deps.decision };
  const composer = createComposer({ analyzer: deps.analyzer, idf: (t) => deps.searcher.idf(t), options: { maxSentences: 3, maxWords: 70, ...deps.compose } });
  const rt: AnswerRuntime = { deps, d, topK: deps.topK ?? 6, composer };

  return {
    async answer(request) {
      const question = request.question.normalize("NFC").trim();
      const u = understand(question, deps.analyzer);
      const routing = deps.analyzer.routingWords(question);
      const understanding = { lang: u.lang, qtype: u.qtype, frames: u.frames, smallTalk: u.smallTalk };
      const base = { refusal: null, hits: [], bestRelevance: 0, understanding } as const;
      const byRule = answerByRule(rt, u, routing, base);
      if (byRule) return byRule;
      const scope = scopeOf(rt, request, u, routing);
      // "ad ơi cho hỏi với": a request to ask, with no question yet — invite it.
      if (scope.focus.contentTokens.length === 0 && !scope.context?.contentTokens.length) {
        return { answer: smallTalkReply("presence", u.lang), kind: "smalltalk", confidence: 1, commune: null, sources: [], lang: u.lang, diagnostics: { ...base, route: "smalltalk", communeFrom: scope.communeFrom } };
      }
      return decide(rt, question, u, routing, scope, base);
    },
  };
}
