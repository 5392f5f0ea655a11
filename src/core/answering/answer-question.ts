import type { Chunk, FaqEntry } from "../knowledge/chunk.js";
import type { Commune, CommuneDirectory } from "../knowledge/communes.js";
import type { CuratedCandidate, CuratedMatcher } from "../retrieval/curated.js";
import type { HybridSearcher, RetrievalHit } from "../retrieval/hybrid.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import { toWords, wordMatches, type Word } from "../text/normalize.js";
import { understand, type Understanding } from "../understanding/understand.js";
import type { QuestionType } from "../understanding/question-type.js";
import { createComposer, type ComposeOptions, type Excerpt } from "./compose.js";
import { clarifyReply, communeLabel, defaultCommuneNote, handoffReply, refusalReply, smallTalkReply, type HandoffTopic } from "./replies.js";

/** How an answer was produced. */
export type AnswerKind = "faq" | "extractive" | "generative" | "refusal" | "handoff" | "smalltalk" | "clarify";

/** A numbered source of an answer: document id, title, citation path inside it, and URL. */
export interface SourceRef {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
}

/** Scores and decisions behind an answer, for logs and the console (never shown to residents). */
export interface AnswerDiagnostics {
  readonly route: "refusal" | "retrieval" | "smalltalk";
  readonly refusal: string | null;
  readonly communeFrom: "request" | "question" | "default";
  readonly hits: ReadonlyArray<{ chunkId: string; relevance: number; coverage: number; phraseCoverage: number; bm25Rank: number | null; vectorRank: number | null; distance: number }>;
  readonly bestRelevance: number;
  /** Sentences quoted in an extractive answer, with their selection scores. */
  readonly excerpts?: ReadonlyArray<{ chunkId: string; score: number }>;
  /** How the question was read (no text: diagnostics are logged). */
  readonly understanding?: { readonly lang: "vi" | "en"; readonly qtype: QuestionType; readonly frames: readonly string[]; readonly smallTalk: string | null };
  /** The best curated entries and their scores. */
  readonly curated?: ReadonlyArray<{ chunkId: string; score: number; forward: number; backward: number }>;
  /** What the language model did, when one is configured (see generative.ts). */
  readonly llm?: LlmDiagnostics;
}

/** A language model's part in an answer: used or not, and why not. */
export interface LlmDiagnostics {
  readonly used: boolean;
  /**
   * Why the default answer was kept, null when the model's answer is used: "curated_faq",
   * "timeout", "rate_limited", "server_error", "rejected", "unreachable", "busy", "malformed",
   * "declined" (the model said the context does not answer), "cited_unknown",
   * "unfaithful:<what>" (e.g. "unfaithful:number 600000").
   */
  readonly reason: string | null;
  /** Provider and model ("ollama:qwen2.5:7b"). */
  readonly model: string;
  /** Calls made (0, 1, or 2 with the one retry). */
  readonly attempts: number;
  readonly ms: number;
  /** Chunk ids given to the model as context, in [n] order. */
  readonly context: readonly string[];
  /** The first attempt's problem, when the retry was needed. */
  readonly retried?: string;
}

/** The answer to one question. `answer` has [n] markers that refer to `sources[n-1]`. */
export interface AnswerResult {
  readonly answer: string;
  readonly kind: AnswerKind;
  /** 0..1: the relevance of the best supporting knowledge (1 for refusals decided by rule). */
  readonly confidence: number;
  /** The commune whose documents the answer used or was asked about; null when none applies. */
  readonly commune: string | null;
  readonly sources: readonly SourceRef[];
  readonly diagnostics: AnswerDiagnostics;
  /** For "clarify": the questions offered ("Có phải bà con muốn hỏi…?"), to render as buttons or links. */
  readonly suggestions?: readonly string[];
  /** Language of the reply ("en" for an English question). */
  readonly lang?: "vi" | "en";
}

export interface AnswerRequest {
  readonly question: string;
  /** Commune chosen by the channel (e.g. the web page's selector); overrides the question. */
  readonly commune?: string | null;
}

/** The answer's decision thresholds (fitted on the dev split only). */
export interface DecisionOptions {
  /** A curated entry at or above this score answers on its own. */
  readonly confident: number;
  /** Below `sure`, a second entry within `margin` of the first makes the answer a "did you mean". */
  readonly sure: number;
  readonly margin: number;
  /** The lead the best entry needs over the next for a question of one or two words. */
  readonly shortMargin: number;
  /** Entries at or above this score may be offered as suggestions. */
  readonly suggest: number;
  /** A single suggestion below the answer threshold is offered only when the question covers this much of it. */
  readonly loneSuggestion: number;
  /**
   * Least share of the question's weighted words an entry must explain to answer or be offered:
   * a short entry found whole inside an unrelated question ("lúa" folds like "lừa") scores well
   * on its own words but explains little of the question.
   */
  readonly minForward: number;
  /** Least coverage of the question by a passage for a quoted (extractive) answer. */
  readonly quoteCoverage: number;
  /** Below this share of the question explained by the best entry, passages may answer instead… */
  readonly passageChallenge: number;
  /** …when one covers the question by at least this much more. */
  readonly passageMargin: number;
}

export const DEFAULT_DECISION_OPTIONS: DecisionOptions = { confident: 0.33, sure: 0.5, margin: 0.01, shortMargin: 0.03, suggest: 0.3, loneSuggestion: 0.3, minForward: 0.25, quoteCoverage: 0.7, passageChallenge: 0.6, passageMargin: 0.25 };

export interface AnswerServiceDeps {
  readonly analyzer: Analyzer;
  readonly searcher: HybridSearcher;
  readonly curated: CuratedMatcher;
  readonly communes: CommuneDirectory;
  readonly defaultCommune: string;
  /** Embeds a prepared question for the vector side of retrieval. */
  readonly embedQuery: (analysis: Analysis, question: string) => Promise<number[]>;
  /** Title and URL of each knowledge document, for FAQ citations. */
  readonly documents: ReadonlyMap<string, { title: string; url: string | null }>;
  /** The URL of a cited section's own source ("Nguồn:" line), when it has one. */
  readonly sectionUrl?: (docId: string, section: string) => string | null;
  readonly decision?: Partial<DecisionOptions>;
  readonly compose?: Partial<ComposeOptions>;
  /** How many retrieved chunks the composer may quote from. */
  readonly topK?: number;
}

export interface AnswerService {
  answer(request: AnswerRequest): Promise<AnswerResult>;
}

/** The most suggestions a "did you mean" offers. */
const MAX_SUGGESTIONS = 3;

/**
 * Creates the default (no LLM) answerer. In order: small talk; refusals decided by rule; the
 * curated answers matched by the meaning of the whole question (confident answer, or "did you
 * mean" when close ones compete); a quoted passage only when a sentence answers the kind of
 * question asked; otherwise a hand-off that says whom to ask for this topic.
 */
/**
 * The source of an FAQ entry that cites no knowledge document: who answered it (its "Nguồn:"
 * office, e.g. "Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, 22/11/2026"), else the FAQ file
 * itself; without a link either way (the file header's first link is about something else).
 */
export function officeSource(chunk: Chunk, entry: FaqEntry): SourceRef {
  return entry.office ? { id: chunk.docId, title: entry.office, section: "", url: null } : { id: chunk.docId, title: chunk.title, section: entry.question, url: null };
}

export function createAnswerService(deps: AnswerServiceDeps): AnswerService {
  const d = { ...DEFAULT_DECISION_OPTIONS, ...deps.decision };
  const topK = deps.topK ?? 6;
  const composer = createComposer({ analyzer: deps.analyzer, idf: (t) => deps.searcher.idf(t), options: { maxSentences: 3, maxWords: 70, ...deps.compose } });

  return {
    async answer(request) {
      const question = request.question.normalize("NFC").trim();
      const u = understand(question, deps.analyzer);
      const routing = deps.analyzer.routingWords(question);
      const understanding = { lang: u.lang, qtype: u.qtype, frames: u.frames, smallTalk: u.smallTalk };
      const base = { refusal: null, hits: [], bestRelevance: 0, understanding } as const;

      if (u.smallTalk) {
        return { answer: smallTalkReply(u.smallTalk, u.lang), kind: "smalltalk", confidence: 1, commune: null, sources: [], lang: u.lang, diagnostics: { ...base, route: "smalltalk", communeFrom: "default" } };
      }
      const refusal = deps.analyzer.lexicon.matchRefusalRule(routing);
      if (refusal) {
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

      // Which commune: the channel's choice, else a name in the question, else the deployment's.
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
      // "ad ơi cho hỏi với": a request to ask, with no question yet — invite it.
      if (focus.contentTokens.length === 0 && !context?.contentTokens.length) {
        return { answer: smallTalkReply("presence", u.lang), kind: "smalltalk", confidence: 1, commune: null, sources: [], lang: u.lang, diagnostics: { ...base, route: "smalltalk", communeFrom } };
      }

      const preferCommune = named || requested || asksAboutPlan(focus) ? (commune?.id ?? null) : null;
      const matched = deps.curated.match({ focus, context, qtype: u.qtype, lang: u.lang, commune: commune?.id ?? null, preferCommune, carriers: u.entities.carriers, phone: u.entities.phone }, 6);
      const candidates = matched.filter((c) => c.forward >= d.minForward);
      const curatedDiag = matched.map((c) => ({ chunkId: c.entry.chunk.id, score: round(c.score), forward: round(c.forward), backward: round(c.backward) }));
      const diagnostics: AnswerDiagnostics = { ...base, route: "retrieval", communeFrom, curated: curatedDiag };
      const ctx: AnswerContext = { u, commune, communeFrom, diagnostics };

      const [top, second] = candidates;
      const suggestions = candidates.filter((c) => c.score >= d.suggest).slice(0, MAX_SUGGESTIONS);
      const canQuote = u.lang === "vi" && focus.contentTokens.length >= 2;
      if (top && top.score >= d.confident) {
        // The entry leaves part of the question unexplained: a passage that explains clearly
        // more of it answers better (an entry on mobile subscriptions, asked about fixed ones).
        if (canQuote && top.forward < d.passageChallenge) {
          const quoted = await quote(question, focus, u.qtype, commune, named !== null || requested !== undefined, ctx, top.forward + d.passageMargin);
          if (quoted) return quoted;
        }
        // A question of one or two words ("tiền", "đổi máy") fits many entries: unless one stands
        // out clearly, ask which was meant.
        const short = focus.contentTokens.length <= 2;
        const gap = !second || sameAnswer(top, second) ? 1 : top.score - second.score;
        const clear = short ? gap >= d.shortMargin : top.score >= d.sure || gap >= d.margin;
        if (clear || suggestions.length < 2) return faqAnswer(top, ctx);
        return clarify(suggestions, ctx);
      }
      // Passages are searched only for Vietnamese questions (the documents are Vietnamese), and
      // only for a question of two content words or more: one word ("bong") finds a sentence
      // with that syllable, not an answer.
      if (canQuote) {
        const quoted = await quote(question, focus, u.qtype, commune, named !== null || requested !== undefined, ctx, d.quoteCoverage);
        if (quoted) return quoted;
      }
      // Below the answer threshold, "did you mean" needs either several close entries or one that
      // the question covers well from the entry's side too; a lone entry sharing a word or two
      // ("thôn", "đường") is no better a guess than a hand-off.
      if (suggestions.length > 1 || (suggestions[0] && suggestions[0].backward >= d.loneSuggestion)) return clarify(suggestions, ctx);
      return handoff(ctx, candidates, routing);
    },
  };

  interface AnswerContext {
    readonly u: Understanding;
    readonly commune: Commune | undefined;
    readonly communeFrom: AnswerDiagnostics["communeFrom"];
    readonly diagnostics: AnswerDiagnostics;
  }

  function clarify(suggestions: readonly CuratedCandidate[], ctx: AnswerContext): AnswerResult {
    const questions = suggestions.map((c) => c.entry.chunk.faq?.question ?? c.entry.chunk.section);
    return { answer: clarifyReply(questions, ctx.u.lang), kind: "clarify", confidence: round(suggestions[0]?.score ?? 0), commune: null, sources: [], suggestions: questions, lang: ctx.u.lang, diagnostics: ctx.diagnostics };
  }

  function handoff(ctx: AnswerContext, candidates: readonly CuratedCandidate[], routing: readonly Word[]): AnswerResult {
    // The nearest entry hints at the topic only when it was near enough to be offered.
    const topic = handoffTopic(ctx.u, routing, candidates.filter((c) => c.score >= d.suggest));
    // Nothing in the question belongs to the assistant's field (phones, the Internet, money and
    // papers online, the commune): it is off-topic, and declining says so more plainly than
    // "no information" would.
    if (topic === "general" && !mentionsField(routing)) {
      const match = { category: "off_topic", label: null, redirect: null } as const;
      return { answer: refusalReply(match, ctx.u.lang), kind: "refusal", confidence: 1, commune: null, sources: [], lang: ctx.u.lang, diagnostics: { ...ctx.diagnostics, route: "refusal", refusal: "off_topic" } };
    }
    return { answer: handoffReply(topic, ctx.u.lang), kind: "handoff", confidence: round(candidates[0]?.score ?? 0), commune: null, sources: [], lang: ctx.u.lang, diagnostics: ctx.diagnostics };
  }

  function faqAnswer(candidate: CuratedCandidate, ctx: AnswerContext): AnswerResult {
    const chunk = candidate.entry.chunk;
    const entry = chunk.faq;
    if (!entry) throw new Error("faqAnswer called with a non-FAQ chunk");
    const sources: SourceRef[] = entry.cites.map((c) => {
      const doc = deps.documents.get(c.docId);
      const own = c.section ? (deps.sectionUrl?.(c.docId, c.section) ?? null) : null;
      return { id: c.docId, title: doc?.title ?? c.docId, section: c.section ?? "", url: own ?? doc?.url ?? null };
    });
    // An entry that cites no document rests on who answered it (the commune office for staff
    // entries), never on whatever link the FAQ file's header happens to list first.
    if (entry.office || sources.length === 0) sources.push(officeSource(chunk, entry));
    const own = chunk.commune ? deps.communes.get(chunk.commune) : undefined;
    const parts = [entry.answer];
    if (entry.next) parts.push(`${chunk.lang === "en" ? "Next" : "Tiếp theo"}: ${entry.next}`);
    if (own && ctx.communeFrom === "default") parts.push(defaultCommuneNote(own, deps.communes.all));
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
  async function quote(question: string, focus: Analysis, qtype: QuestionType, commune: Commune | undefined, namedCommune: boolean, ctx: AnswerContext, minCoverage: number): Promise<AnswerResult | null> {
    const vector = await deps.embedQuery(focus, question);
    const { hits: found } = await deps.searcher.search({
      analysis: focus,
      vector,
      commune: commune?.id ?? null,
      preferCommune: namedCommune || asksAboutPlan(focus) ? (commune?.id ?? null) : null,
      k: 2 * topK,
    });
    const passages = found.filter((h) => !h.chunk.faq && h.coverage >= Math.max(minCoverage, d.quoteCoverage) && h.phraseCoverage >= 0.5).slice(0, topK);
    if (passages.length === 0) return null;
    const excerpts = composer.select(focus, passages).filter((e) => answersType(e.sentence, qtype));
    if (excerpts.length === 0) return null;
    return extractiveAnswer(excerpts, passages, ctx, commune, { ...ctx.diagnostics, hits: hitDiagnostics(passages), bestRelevance: round(passages[0]?.relevance ?? 0) });
  }

  function extractiveAnswer(excerpts: readonly Excerpt[], hits: readonly RetrievalHit[], ctx: AnswerContext, commune: Commune | undefined, diagnostics: AnswerDiagnostics): AnswerResult {
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
      const { label, sentence } = composer.render(e);
      return `${excerpts.length > 1 ? "- " : ""}${label ? `${label}: ` : ""}${sentence} [${numberOf.get(keyOf(e.chunk))}]`;
    });
    const first = excerpts[0]?.chunk as Chunk;
    const docs = new Set(excerpts.map((e) => e.chunk.docId));
    const usesCommune = excerpts.some((e) => e.chunk.commune !== null);
    const intro = docs.size === 1 && first.kind === "plan" && commune ? `Theo ${first.shortTitle} (${communeLabel(commune)}):` : `Theo tài liệu “${first.shortTitle}”:`;
    const parts = [intro, ...lines];
    for (const notice of new Set(excerpts.map((e) => e.chunk.notice).filter((n): n is string => n !== null))) parts.push(`Lưu ý: ${notice}`);
    if (usesCommune && commune && ctx.communeFrom === "default") parts.push(defaultCommuneNote(commune, deps.communes.all));
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
}

function hitDiagnostics(hits: readonly RetrievalHit[]) {
  return hits.map((h) => ({
    chunkId: h.chunk.id,
    relevance: round(h.relevance),
    coverage: round(h.coverage),
    phraseCoverage: round(h.phraseCoverage),
    bm25Rank: h.bm25Rank,
    vectorRank: h.vectorRank,
    distance: round(h.distance),
  }));
}

const DATE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b|\btháng\s+\d{1,2}\b/i;
/** A figure that is not only a date or a network name (2G/4G). */
const FIGURE = /\d/;
const PLACE = /\b(?:tại|ở|đến|nộp|cửa hàng|trụ sở|bộ phận|ủy ban|uỷ ban|UBND|công an|bưu điện|ngân hàng|trang|cổng|ứng dụng|\.gov\.vn|https?:)/iu;
const WHO = /\b(?:ủy ban|uỷ ban|UBND|công an|bộ|sở|cục|công chức|cán bộ|ban chỉ đạo|doanh nghiệp|nhà mạng|hộ|người|đài|tổ)\b/iu;

/** True when `sentence` can answer a question of `type` (a date for "when", a figure for "how much"…). */
function answersType(sentence: string, type: QuestionType): boolean {
  switch (type) {
    case "when":
      return DATE.test(sentence);
    case "howmuch":
      return FIGURE.test(sentence.replace(/\b[2-5]G\b/gi, ""));
    case "where":
      return PLACE.test(sentence);
    case "who":
      return WHO.test(sentence);
    case "what":
      return /\blà\b/iu.test(sentence);
    // A quoted sentence cannot say "Có."/"Không.": a yes/no question is answered by a curated entry or handed off.
    case "yesno":
      return false;
    default:
      return true;
  }
}

/** Two entries that give the same answer (the same text): no need to ask which one was meant. */
function sameAnswer(a: CuratedCandidate, b: CuratedCandidate): boolean {
  return a.entry.chunk.faq?.answer === b.entry.chunk.faq?.answer;
}

function mentionsCurrentUnit(text: string, commune: Commune): boolean {
  const current = commune.current_unit?.split(",")[0]?.trim();
  return current ? text.toLowerCase().includes(current.toLowerCase()) : true;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Words that point a hand-off to the right helper, written with their diacritics: a word typed
 * with marks must carry the same marks ("lúa" is not "lừa"); typed without, any spelling matches.
 */
const TOPIC_WORDS: ReadonlyArray<{ topic: HandoffTopic; words: readonly Word[][] }> = (
  [
    { topic: "scam", phrases: ["lừa", "giả danh", "giả mạo", "mạo danh", "otp", "hack", "scam", "fraud", "link lạ"] },
    { topic: "subsidy", phrases: ["hộ nghèo", "cận nghèo", "viễn thông công ích", "thông tư 14", "500000", "hỗ trợ điện thoại", "poor", "subsidy"] },
    { topic: "2g", phrases: ["2g", "volte", "3g", "4g", "sóng", "nhà mạng", "sim", "viettel", "vinaphone", "mobifone"] },
    { topic: "vneid", phrases: ["vneid", "định danh", "căn cước", "dịch vụ công", "khai sinh", "cư trú", "hộ tịch", "chứng minh nhân dân"] },
    { topic: "payments", phrases: ["qr", "chuyển khoản", "ngân hàng", "ví điện tử", "mobile money", "thẻ atm"] },
    { topic: "plan", phrases: ["kế hoạch", "hạ tầng", "cáp quang", "bts", "băng rộng"] },
    { topic: "context", phrases: ["sáp nhập", "huyện", "xã mới", "địa chỉ mới", "merger"] },
  ] as const
).map(({ topic, phrases }) => ({ topic, words: phrases.map((p) => toWords(p).map((w) => ({ ...w, exact: true }))) }));

/**
 * Words of the assistant's field, and of the commune's own affairs (which staff can answer when the
 * knowledge cannot): a question with none of them is off-topic.
 */
const FIELD_WORDS: readonly Word[][] = [
  "điện thoại", "máy", "sim", "sóng", "mạng", "internet", "wifi", "cáp quang", "2g", "3g", "4g", "5g", "volte", "nhà mạng", "viettel", "vinaphone", "mobifone", "vnpt",
  "zalo", "facebook", "tiktok", "ứng dụng", "app", "online", "trực tuyến", "link", "otp", "mật khẩu", "tài khoản", "ngân hàng", "chuyển khoản", "qr", "ví điện tử", "tiền",
  "lừa", "vneid", "căn cước", "định danh", "dịch vụ công", "thủ tục", "giấy tờ", "khai sinh", "hộ nghèo", "cận nghèo", "hỗ trợ", "ủy ban", "huyện", "tỉnh", "sáp nhập",
  "kế hoạch", "hạ tầng", "dữ liệu", "thông tin", "thôn", "xóm", "ấp", "nhà văn hóa", "cán bộ", "trưởng thôn", "email", "thư điện tử", "mua hàng", "shopee", "trợ lý", "cước", "thuê bao", "bts", "i-speed", "tin nhắn",
  "phone", "mobile", "network", "scam", "bank", "account", "password", "commune", "province", "district", "ministry", "support", "subsidy", "poor", "data", "payment", "pay", "card", "signal",
].map((p) => toWords(p).map((w) => ({ ...w, exact: true })));

function mentionsField(routing: readonly Word[]): boolean {
  return FIELD_WORDS.some((seq) => {
    outer: for (let i = 0; i + seq.length <= routing.length; i++) {
      for (let j = 0; j < seq.length; j++) if (!wordMatches(routing[i + j] as Word, seq[j] as Word)) continue outer;
      return true;
    }
    return false;
  });
}

function handoffTopic(u: Understanding, routing: readonly Word[], candidates: readonly CuratedCandidate[]): HandoffTopic {
  if (u.entities.victim) return "scam";
  const has = (seq: readonly Word[]) => {
    outer: for (let i = 0; i + seq.length <= routing.length; i++) {
      for (let j = 0; j < seq.length; j++) if (!wordMatches(routing[i + j] as Word, seq[j] as Word)) continue outer;
      return true;
    }
    return false;
  };
  for (const { topic, words } of TOPIC_WORDS) if (words.some(has)) return topic;
  const doc = candidates[0]?.entry.chunk.docId ?? "";
  if (doc.includes("lua-dao")) return "scam";
  if (doc.includes("vien-thong")) return "subsidy";
  if (doc.includes("2g")) return "2g";
  if (doc.includes("ke-hoach")) return "plan";
  return "general";
}

/** "kế hoạch", "mục tiêu", "chỉ tiêu": the question is about a commune's plan. */
function asksAboutPlan(analysis: Analysis): boolean {
  return ["ke_hoach", "muc_tieu", "chi_tieu"].some((b) => analysis.terms.includes(b));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
