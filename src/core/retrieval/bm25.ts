/**
 * Okapi BM25 over pre-analysed terms (folded syllables and bigrams). LangChain's stock
 * BM25Retriever splits on ASCII word characters and breaks Vietnamese syllables apart, so the
 * scoring is done here on our own tokens.
 */
export interface Bm25Index {
  /** Top `k` documents for the query terms, best first; `accept` filters by document index. */
  search(queryTerms: readonly string[], k: number, accept?: (doc: number) => boolean): Array<{ doc: number; score: number }>;
  /** Inverse document frequency of a term (the maximum for unseen terms). */
  idf(term: string): number;
  /** Number of indexed documents. */
  readonly size: number;
}

/** Builds a BM25 index; `k1` and `b` default to the usual 1.2 and 0.75. */
export function createBm25Index(docs: ReadonlyArray<readonly string[]>, params: { k1?: number; b?: number } = {}): Bm25Index {
  const k1 = params.k1 ?? 1.2;
  const b = params.b ?? 0.75;
  const postings = new Map<string, Array<[number, number]>>();
  const lengths = new Float64Array(docs.length);
  let total = 0;
  docs.forEach((terms, doc) => {
    lengths[doc] = terms.length;
    total += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      const list = postings.get(t);
      if (list) list.push([doc, n]);
      else postings.set(t, [[doc, n]]);
    }
  });
  const n = docs.length;
  const avgdl = n ? total / n : 1;
  const idfOf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
  // Packed postings (document ids and term counts) for the scoring loop.
  const packed = new Map<string, { docs: Int32Array; tfs: Float64Array }>();
  for (const [t, list] of postings) packed.set(t, { docs: Int32Array.from(list, (p) => p[0]), tfs: Float64Array.from(list, (p) => p[1]) });
  postings.clear();
  // The length part of each document's BM25 denominator, computed once.
  const lengthNorm = Float64Array.from(lengths, (len) => k1 * (1 - b + (b * len) / avgdl));
  const maxIdf = idfOf(0);

  return {
    size: n,
    idf: (term) => {
      const list = packed.get(term);
      return list ? idfOf(list.docs.length) : maxIdf;
    },
    search(queryTerms, k, accept) {
      const scores = new Float64Array(n);
      const touched: number[] = [];
      // The filter is decided once per document, not once per posting.
      let allowed: Uint8Array | null = null;
      if (accept) {
        allowed = new Uint8Array(n);
        for (let doc = 0; doc < n; doc++) allowed[doc] = accept(doc) ? 1 : 0;
      }
      for (const term of new Set(queryTerms)) {
        const list = packed.get(term);
        if (!list) continue;
        const { docs, tfs } = list;
        const weight = idfOf(docs.length) * (k1 + 1);
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i] as number;
          if (allowed !== null && allowed[doc] === 0) continue;
          const tf = tfs[i] as number;
          if (scores[doc] === 0) touched.push(doc);
          scores[doc] = (scores[doc] as number) + (weight * tf) / (tf + (lengthNorm[doc] as number));
        }
      }
      return touched
        .map((doc) => ({ doc, score: scores[doc] as number }))
        .sort((x, y) => y.score - x.score || x.doc - y.doc)
        .slice(0, k);
    },
  };
}
