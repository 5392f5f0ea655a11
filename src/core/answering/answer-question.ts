import type { Chunk } from "../knowledge/chunk.js";
import type { Commune, CommuneDirectory } from "../knowledge/communes.js";
import type { HybridSearcher, RetrievalHit } from "../retrieval/hybrid.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import type { RefusalCategory } from "../text/lexicon.js";
import { createComposer, type ComposeOptions, type Excerpt } from "./compose.js";
import { REFUSAL_REPLIES, handoffReply } from "./replies.js";

/** How an answer was produced. */
export type AnswerKind = "faq" | "extractive" | "generative" | "refusal" | "handoff";

/** A numbered source of an answer: document id, title, citation path inside it, and URL. */
export interface SourceRef {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
}

/** Scores and decisions behind an answer, for logs and the console (never shown to residents). */
export interface AnswerDiagnostics {
  readonly route: "refusal" | "retrieval";
  readonly refusal: RefusalCategory | null;
  readonly communeFrom: "request" | "question" | "default";
  readonly hits: ReadonlyArray<{ chunkId: string; relevance: number; coverage: number; phraseCoverage: number; bm25Rank: number | null; vectorRank: number | null; distance: number }>;
  readonly bestRelevance: number;
  /** Sentences quoted in an extractive answer, with their selection scores. */
  readonly excerpts?: ReadonlyArray<{ chunkId: string; score: number }>;
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
}

export interface AnswerRequest {
  readonly question: string;
  /** Commune chosen by the channel (e.g. the web page's selector); overrides the question. */
  readonly commune?: string | null;
}

export interface AnswerServiceDeps {
  readonly analyzer: Analyzer;
  readonly searcher: HybridSearcher;
  readonly communes: CommuneDirectory;
  readonly defaultCommune: string;
  /** Embeds a prepared question for the vector side of retrieval. */
  readonly embedQuery: (analysis: Analysis, question: string) => Promise<number[]>;
  /** Title and URL of each knowledge document, for FAQ citations. */
  readonly documents: ReadonlyMap<string, { title: string; url: string | null }>;
  /** Minimum relevance for an FAQ entry to answer on its own (0..1). */
  readonly faqThreshold?: number;
  readonly compose?: Partial<ComposeOptions>;
  /** How many retrieved chunks the composer may quote from. */
  readonly topK?: number;
}

export interface AnswerService {
  answer(request: AnswerRequest): Promise<AnswerResult>;
}

const DEFAULT_FAQ_THRESHOLD = 0.75;
/** How many fewer of the question's word pairs an FAQ entry may match than the best passage. */
const PHRASE_TOLERANCE = 0.2;

/** Creates the default (no LLM) answerer: route, retrieve, then FAQ or extractive answer. */
export function createAnswerService(deps: AnswerServiceDeps): AnswerService {
  const faqThreshold = deps.faqThreshold ?? DEFAULT_FAQ_THRESHOLD;
  const topK = deps.topK ?? 6;
  const composer = createComposer({ analyzer: deps.analyzer, idf: (t) => deps.searcher.idf(t), ...(deps.compose ? { options: deps.compose } : {}) });

  const hitDiagnostics = (hits: readonly RetrievalHit[]) =>
    hits.map((h) => ({
      chunkId: h.chunk.id,
      relevance: round(h.relevance),
      coverage: round(h.coverage),
      phraseCoverage: round(h.phraseCoverage),
      bm25Rank: h.bm25Rank,
      vectorRank: h.vectorRank,
      distance: round(h.distance),
    }));

  return {
    async answer(request) {
      const question = request.question.normalize("NFC").trim();
      const routing = deps.analyzer.routingWords(question);

      const refusal = deps.analyzer.lexicon.matchRefusal(routing);
      if (refusal) {
        return {
          answer: REFUSAL_REPLIES[refusal](),
          kind: "refusal",
          confidence: 1,
          commune: null,
          sources: [],
          diagnostics: { route: "refusal", refusal, communeFrom: "default", hits: [], bestRelevance: 0 },
        };
      }

      // Which commune: the channel's choice, else a name in the question, else the deployment's.
      const named = deps.communes.detect(routing.map((w) => w.f));
      let tokens = routing;
      if (named) {
        // The commune name only selects documents; left in the query it would skew scores.
        const start = named.start > 0 && routing[named.start - 1]?.f === "xa" ? named.start - 1 : named.start;
        tokens = [...routing.slice(0, start), ...routing.slice(named.end)];
      }
      const requested = request.commune ? deps.communes.get(request.commune) : undefined;
      const commune: Commune | undefined = requested ?? named?.commune ?? deps.communes.get(deps.defaultCommune);
      const communeFrom = requested ? "request" : named ? "question" : "default";

      let analysis = deps.analyzer.analyzeRoutingWords(tokens);
      // "xã Phú Tân giờ là xã nào?": with the name removed nothing is left to search for, so the
      // name itself is the topic.
      if (named && analysis.contentTokens.length === 0) analysis = deps.analyzer.analyzeRoutingWords(routing);
      const vector = await deps.embedQuery(analysis, question);
      const { hits: found, best } = await deps.searcher.search({
        analysis,
        vector,
        commune: commune?.id ?? null,
        // A named commune, or a question about "the plan" of an unnamed commune: that commune's
        // own documents first.
        preferCommune: named || requested || asksAboutPlan(analysis) ? (commune?.id ?? null) : null,
        k: 2 * topK,
      });
      // Curated entries and document passages do not compete for the same slots: up to topK each,
      // so a close FAQ entry never pushes the passage with the figure out of the extractive answer.
      const passages = found.filter((h) => !h.chunk.faq).slice(0, topK);
      const hits = [...passages, ...found.filter((h) => h.chunk.faq).slice(0, topK)];
      const diagnostics: AnswerDiagnostics = {
        route: "retrieval",
        refusal: null,
        communeFrom,
        hits: hitDiagnostics(hits.length ? hits : best ? [best] : []),
        bestRelevance: round(best?.relevance ?? 0),
      };

      if (hits.length === 0 || analysis.contentTokens.length === 0) {
        return {
          answer: handoffReply(),
          kind: "handoff",
          confidence: round(best?.relevance ?? 0),
          commune: named || requested ? (commune?.id ?? null) : null,
          sources: [],
          diagnostics,
        };
      }

      const top = hits.reduce((m, h) => (h.relevance > m.relevance ? h : m));
      // A curated answer goes first, unless a passage covers the question's words, or its word
      // pairs, better: the entry is then about a neighbouring question ("cố định" asked, "di động"
      // answered; without diacritics "có" and "cố" look alike, the pair "co dinh" does not).
      const passageCoverage = Math.max(0, ...passages.map((h) => h.coverage));
      const passagePhrases = Math.max(0, ...passages.map((h) => h.phraseCoverage));
      if (top.chunk.faq && top.relevance >= faqThreshold && top.coverage >= passageCoverage && top.phraseCoverage >= passagePhrases - PHRASE_TOLERANCE) {
        return faqAnswer(top, commune, diagnostics);
      }

      const excerpts = composer.select(analysis, passages);
      if (excerpts.length === 0) {
        const faq = hits.find((h) => h.chunk.faq);
        if (faq) return faqAnswer(faq, commune, diagnostics);
        return { answer: handoffReply(), kind: "handoff", confidence: round(top.relevance), commune: null, sources: [], diagnostics };
      }
      return extractiveAnswer(excerpts, hits, commune, communeFrom, diagnostics);
    },
  };

  function faqAnswer(hit: RetrievalHit, commune: Commune | undefined, diagnostics: AnswerDiagnostics): AnswerResult {
    const entry = hit.chunk.faq;
    if (!entry) throw new Error("faqAnswer called with a non-FAQ chunk");
    const sources: SourceRef[] = entry.cites.length
      ? entry.cites.map((c) => {
          const doc = deps.documents.get(c.docId);
          return { id: c.docId, title: doc?.title ?? c.docId, section: c.section ?? "", url: doc?.url ?? null };
        })
      : [{ id: hit.chunk.docId, title: hit.chunk.title, section: entry.question, url: hit.chunk.url }];
    const own = hit.chunk.commune ? deps.communes.get(hit.chunk.commune) : undefined;
    const note = own && diagnostics.communeFrom === "default" ? `\n\n${defaultCommuneNote(own)}` : "";
    return {
      answer: `${entry.answer}${note}`,
      kind: "faq",
      confidence: round(hit.relevance),
      commune: hit.chunk.commune ?? (diagnostics.communeFrom === "default" ? null : (commune?.id ?? null)),
      sources,
      diagnostics,
    };
  }

  /** Said when the question named no commune and the answer is one commune's own information. */
  function defaultCommuneNote(commune: Commune): string {
    const others = deps.communes.all.filter((c) => c.id !== commune.id).map((c) => `xã ${c.name}`);
    return `Đây là thông tin của xã ${commune.name}.${others.length ? ` Nếu bà con hỏi về ${others.join(", ")}, xin ghi rõ tên xã trong câu hỏi.` : ""}`;
  }

  function extractiveAnswer(
    excerpts: readonly Excerpt[],
    hits: readonly RetrievalHit[],
    commune: Commune | undefined,
    communeFrom: AnswerDiagnostics["communeFrom"],
    diagnostics: AnswerDiagnostics,
  ): AnswerResult {
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
    // Excerpts under the same heading share one lead line: "Mạng …:" then its items.
    const groups: Array<{ label: string | null; items: string[] }> = [];
    for (const e of excerpts) {
      const { label, sentence } = composer.render(e);
      const item = `${sentence} [${numberOf.get(keyOf(e.chunk))}]`;
      const group = groups.find((g) => g.label === label);
      if (group) group.items.push(item);
      else groups.push({ label, items: [item] });
    }
    const single = groups.length === 1 && (groups[0] as { items: string[] }).items.length === 1;
    const lines = groups.flatMap((g) => {
      if (single) return [g.label ? `${g.label}: ${g.items[0]}` : (g.items[0] as string)];
      if (g.items.length === 1) return [`- ${g.label ? `${g.label}: ` : ""}${g.items[0]}`];
      return [...(g.label ? [`${g.label}:`] : []), ...g.items.map((i) => `- ${i}`)];
    });
    const docs = new Set(excerpts.map((e) => e.chunk.docId));
    const first = excerpts[0]?.chunk as Chunk;
    const usesCommune = excerpts.some((e) => e.chunk.commune !== null);

    let intro: string;
    if (docs.size === 1 && first.kind === "plan" && commune) {
      intro = `Theo ${first.title} (${commune.former_unit}):`;
    } else if (docs.size === 1) {
      intro = `Theo tài liệu “${first.shortTitle}”:`;
    } else {
      intro = "Thông tin trong tài liệu của trợ lý:";
    }
    const parts = [intro, ...lines];
    for (const notice of new Set(excerpts.map((e) => e.chunk.notice).filter((n): n is string => n !== null))) parts.push(`Lưu ý: ${notice}`);
    if (usesCommune && commune && communeFrom === "default") parts.push(defaultCommuneNote(commune));
    const relevance = Math.max(...hits.filter((h) => excerpts.some((e) => e.chunk.id === h.chunk.id)).map((h) => h.relevance));
    return {
      answer: parts.join("\n"),
      kind: "extractive",
      confidence: round(relevance),
      commune: usesCommune ? (commune?.id ?? null) : communeFrom === "default" ? null : (commune?.id ?? null),
      sources,
      diagnostics: { ...diagnostics, excerpts: excerpts.map((e) => ({ chunkId: e.chunk.id, score: round(e.score) })) },
    };
  }
}

/** "kế hoạch", "mục tiêu", "chỉ tiêu": the question is about a commune's plan. */
function asksAboutPlan(analysis: Analysis): boolean {
  return ["ke_hoach", "muc_tieu", "chi_tieu"].some((b) => analysis.terms.includes(b));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
