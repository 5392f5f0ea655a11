import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import type { Analysis, Analyzer } from "../text/analyze.js";

/** Default dimension of the offline embedder. */
export const HASHED_DIMENSIONS = 768;

/** 32-bit FNV-1a hash: fast, deterministic, no dependencies. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Offline embeddings that need no model download and no key: feature hashing of the folded,
 * synonym-canonicalized text (syllables, syllable bigrams, and character trigrams inside each
 * syllable, which tolerate typos), sublinear term weights, L2-normalised. Deterministic.
 */
export class HashedNgramEmbeddings extends Embeddings {
  readonly id: string;
  readonly dimensions: number;
  private readonly analyzer: Analyzer;

  constructor(analyzer: Analyzer, options: { dimensions?: number } & EmbeddingsParams = {}) {
    super(options);
    this.analyzer = analyzer;
    this.dimensions = options.dimensions ?? HASHED_DIMENSIONS;
    this.id = `hashed-ngrams-v1-d${this.dimensions}`;
  }

  /** Embeds an already analysed text (used on the hot path to avoid analysing twice). */
  embedAnalysis(analysis: Analysis): number[] {
    const counts = new Map<string, number>();
    const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
    const tokens = analysis.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as string;
      add(`w:${t}`, 1);
      if (i + 1 < tokens.length) add(`b:${t}_${tokens[i + 1]}`, 1);
      const padded = `#${t}#`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
    }
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, count] of counts) {
      const h = fnv1a(feature);
      const index = h % this.dimensions;
      const sign = (fnv1a(`s${feature}`) & 1) === 0 ? 1 : -1;
      vector[index] = (vector[index] as number) + sign * Math.log1p(count);
    }
    let norm = 0;
    for (const v of vector) norm += v * v;
    norm = Math.sqrt(norm);
    return norm === 0 ? vector : vector.map((v) => v / norm);
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedAnalysis(this.analyzer.analyzeDocument(t)));
  }

  override async embedQuery(text: string): Promise<number[]> {
    return this.embedAnalysis(this.analyzer.analyzeQuery(text));
  }
}
