import { BaseRetriever } from "@langchain/core/retrievers";
import { Document } from "@langchain/core/documents";
import type { Chunk } from "../knowledge/chunk.js";
import type { Analysis, Analyzer } from "../text/analyze.js";
import type { VectorIndex } from "../ports.js";
import { createBm25Index, type Bm25Index } from "./bm25.js";

/** One retrieved chunk with every signal that ranked it. */
export interface RetrievalHit {
  readonly chunk: Chunk;
  /** Reciprocal-rank-fusion score (sum of 1/(k + rank) over the lexical and vector lists). */
  readonly rrf: number;
  readonly bm25Rank: number | null;
  readonly bm25Score: number;
  readonly vectorRank: number | null;
  /** Cosine distance from the question (1 when the vector search did not return the chunk). */
  readonly distance: number;
  /** IDF-weighted share of the question's content words found in the chunk (0..1). */
  readonly coverage: number;
  /** Share of the question's content-word pairs ("cố định", "di động") found as pairs in the chunk (0..1; 1 without pairs). */
  readonly phraseCoverage: number;
  /** Calibrated relevance used for the threshold and the answer's confidence (0..1). */
  readonly relevance: number;
}

/** Tuning of hybrid retrieval; defaults were fitted on the evaluation questions. */
export interface HybridOptions {
  /** RRF constant (60 in the original paper and in LangChain's EnsembleRetriever). */
  readonly rrfK: number;
  /** How many candidates each side contributes before fusion. */
  readonly candidates: number;
  /** Hits below this relevance are dropped (0..1). */
  readonly threshold: number;
}

/** Share of a question word's weight credited when only the title has it and a sibling section is headed by it. */
const TITLE_ONLY_WEIGHT = 0.5;

/** How much a chunk outside the fused top k must beat the kept ones by to join them, and how many may. */
const RELEVANCE_MARGIN = 0.1;
const EXTRA_HITS = 2;

/** Relevance added to a named commune's own documents (its plan, its context file). */
const COMMUNE_BOOST = 0.05;

export const DEFAULT_HYBRID_OPTIONS: HybridOptions = { rrfK: 60, candidates: 40, threshold: 0.5 };

/** A question prepared for retrieval: its analysis, its embedding and the commune filter. */
export interface RetrievalQuery {
  readonly analysis: Analysis;
  readonly vector: number[];
  /** Chunks of another commune's documents are excluded; commune-neutral chunks stay. */
  readonly commune: string | null;
  /** When the question named a commune, that commune's own documents rank a little higher. */
  readonly preferCommune?: string | null;
  readonly k: number;
}

export interface HybridSearcher {
  /** Fused, thresholded hits, best first, plus the best hit even when it is below the threshold. */
  search(query: RetrievalQuery): Promise<{ hits: RetrievalHit[]; best: RetrievalHit | null }>;
  /** IDF of a token in the knowledge (for sentence scoring). */
  idf(token: string): number;
  readonly chunks: readonly Chunk[];
}

/** One document's standing in the fused lists. */
interface Fused {
  rrf: number;
  bm25Rank: number | null;
  bm25Score: number;
  vectorRank: number | null;
  distance: number;
}

/** Reciprocal-rank fusion of the BM25 and the vector lists (each document keeps its rank in both). */
function fuse(lexical: ReadonlyArray<{ doc: number; score: number }>, nearest: ReadonlyArray<{ doc: number; distance: number }>, rrfK: number): Map<number, Fused> {
  const fused = new Map<number, Fused>();
  const entry = (doc: number) => {
    let e = fused.get(doc);
    if (!e) {
      e = { rrf: 0, bm25Rank: null, bm25Score: 0, vectorRank: null, distance: 1 };
      fused.set(doc, e);
    }
    return e;
  };
  lexical.forEach((h, rank) => {
    const e = entry(h.doc);
    e.rrf += 1 / (rrfK + rank + 1);
    e.bm25Rank = rank + 1;
    e.bm25Score = h.score;
  });
  nearest.forEach((h, rank) => {
    const e = entry(h.doc);
    e.rrf += 1 / (rrfK + rank + 1);
    e.vectorRank = rank + 1;
    e.distance = h.distance;
  });
  return fused;
}

/** The question's pairs of adjacent content words ("co_dinh"), computed once per question. */
function contentPairs(query: Analysis): string[] {
  const content = new Set(query.contentTokens);
  return query.terms.filter((t) => {
    const [a, b] = t.split("_");
    return b !== undefined && content.has(a as string) && content.has(b);
  });
}

/** Builds the hybrid searcher: BM25 over normalized terms plus a vector index, fused by RRF. */
export function createHybridSearcher(deps: {
  chunks: readonly Chunk[];
  analyzer: Analyzer;
  vectorIndex: VectorIndex;
  options?: Partial<HybridOptions>;
}): HybridSearcher {
  const options = { ...DEFAULT_HYBRID_OPTIONS, ...deps.options };
  const { chunks } = deps;
  // FAQ questions and paraphrases are typed the way residents type ("dt", "ko"): analysed as questions.
  const analyses = chunks.map((c) => (c.faq ? deps.analyzer.analyzeQuery(c.searchText) : deps.analyzer.analyzeDocument(c.searchText)));
  const tokenSets = analyses.map((a) => new Set(a.tokens));
  const termSets = analyses.map((a) => new Set(a.terms));
  // A word that a chunk matches only through its document's title, while another section of the
  // same document is headed by that word, points at that other section: it counts for less here
  // ("huyện" in "Bộ máy … bộ, sở, huyện, tỉnh" should find the section on huyện).
  const ownSets = chunks.map((c, i) =>
    c.searchText.startsWith(`${c.title}\n`) ? new Set(deps.analyzer.analyzeDocument(c.searchText.slice(c.title.length + 1)).tokens) : (tokenSets[i] as Set<string>),
  );
  const headingTokens = new Map<string, Set<string>>();
  for (const c of chunks) {
    if (!c.section) continue;
    let set = headingTokens.get(c.docId);
    if (!set) headingTokens.set(c.docId, (set = new Set()));
    for (const t of deps.analyzer.analyzeDocument(c.section).tokens) set.add(t);
  }
  const bm25: Bm25Index = createBm25Index(analyses.map((a) => a.terms));
  const byId = new Map(chunks.map((c, i) => [c.id, i]));

  const coverage = (query: Analysis, doc: number): number => {
    let total = 0;
    let found = 0;
    const set = tokenSets[doc] as Set<string>;
    const own = ownSets[doc] as Set<string>;
    const headed = headingTokens.get((chunks[doc] as Chunk).docId);
    for (const t of query.contentTokens) {
      const w = bm25.idf(t);
      total += w;
      if (own.has(t)) found += w;
      else if (set.has(t)) found += headed?.has(t) ? TITLE_ONLY_WEIGHT * w : w;
    }
    return total === 0 ? 0 : found / total;
  };

  const phraseCoverage = (pairs: readonly string[], doc: number): number => {
    if (pairs.length === 0) return 1;
    const set = termSets[doc] as Set<string>;
    return pairs.filter((p) => set.has(p)).length / pairs.length;
  };

  return {
    chunks,
    idf: (t) => bm25.idf(t),
    async search(query) {
      const accept = (doc: number) => {
        const commune = (chunks[doc] as Chunk).commune;
        return commune === null || query.commune === null || commune === query.commune;
      };
      // Function words ("của", "là") and the pairs they make rank nothing: only content terms are scored.
      const content = new Set(query.analysis.contentTokens);
      const terms = query.analysis.terms.filter((t) => {
        const cut = t.indexOf("_");
        return cut < 0 ? content.has(t) : content.has(t.slice(0, cut)) && content.has(t.slice(cut + 1));
      });
      const lexical = bm25.search(terms, options.candidates, accept);
      const nearest = (await deps.vectorIndex.search(query.vector, options.candidates * 2))
        .map((h) => ({ doc: byId.get(h.chunkId), distance: h.distance }))
        .filter((h): h is { doc: number; distance: number } => h.doc !== undefined && accept(h.doc))
        .slice(0, options.candidates);

      const fused = fuse(lexical, nearest, options.rrfK);

      const pairs = contentPairs(query.analysis);
      const hits: RetrievalHit[] = [...fused].map(([doc, e]) => {
        const cov = coverage(query.analysis, doc);
        const similarity = Math.max(0, 1 - e.distance);
        // Lexical coverage says whether the chunk is about the question's words; the vector
        // similarity rescues typos and paraphrases. Coverage dominates because hashed vectors
        // of unrelated Vietnamese texts still share many common syllables.
        const chunk = chunks[doc] as Chunk;
        const preferred = query.preferCommune != null && chunk.commune === query.preferCommune;
        const relevance = Math.min(1, 0.75 * cov + 0.25 * similarity + (preferred ? COMMUNE_BOOST : 0));
        return { chunk, ...e, rrf: preferred ? e.rrf * 1.5 : e.rrf, coverage: cov, phraseCoverage: phraseCoverage(pairs, doc), relevance };
      });
      hits.sort((a, b) => b.rrf - a.rrf || b.relevance - a.relevance);
      const best = hits.reduce<RetrievalHit | null>((m, h) => (m === null || h.relevance > m.relevance ? h : m), null);
      const above = hits.filter((h) => h.relevance >= options.threshold);
      const kept = above.slice(0, query.k);
      // Fusion ranks by agreement of the two lists; a chunk that covers the question better than
      // everything kept (a rare word both lists under-weighted, like "3G" among many "2G") joins too.
      const keptBest = kept.reduce((m, h) => Math.max(m, h.relevance), 0);
      const better = above.slice(query.k).filter((h) => h.relevance > keptBest + RELEVANCE_MARGIN).sort((a, b) => b.relevance - a.relevance);
      return { hits: [...kept, ...better.slice(0, EXTRA_HITS)], best };
    },
  };
}

/**
 * The hybrid searcher as a LangChain retriever, for chains that expect one (issue: LLM mode).
 * Each Document carries the chunk id, citation and relevance in its metadata.
 */
export class HybridRetriever extends BaseRetriever {
  static override lc_name() {
    return "HybridRetriever";
  }
  override lc_namespace = ["tro_ly_so", "retrievers"];
  private readonly prepare: (question: string) => Promise<RetrievalQuery>;
  private readonly searcher: HybridSearcher;

  constructor(searcher: HybridSearcher, prepare: (question: string) => Promise<RetrievalQuery>) {
    super();
    this.searcher = searcher;
    this.prepare = prepare;
  }

  override async _getRelevantDocuments(question: string): Promise<Document[]> {
    const { hits } = await this.searcher.search(await this.prepare(question));
    return hits.map(
      (h) =>
        new Document({
          pageContent: h.chunk.text,
          metadata: { chunkId: h.chunk.id, docId: h.chunk.docId, title: h.chunk.title, section: h.chunk.section, relevance: h.relevance },
        }),
    );
  }
}
