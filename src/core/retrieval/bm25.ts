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
  const maxIdf = idfOf(0);

  return {
    size: n,
    idf: (term) => {
      const list = postings.get(term);
      return list ? idfOf(list.length) : maxIdf;
    },
    search(queryTerms, k, accept) {
      const scores = new Map<number, number>();
      for (const term of new Set(queryTerms)) {
        const list = postings.get(term);
        if (!list) continue;
        const idf = idfOf(list.length);
        for (const [doc, tf] of list) {
          if (accept && !accept(doc)) continue;
          const norm = tf + k1 * (1 - b + (b * (lengths[doc] as number)) / avgdl);
          scores.set(doc, (scores.get(doc) ?? 0) + (idf * (tf * (k1 + 1))) / norm);
        }
      }
      return [...scores]
        .map(([doc, score]) => ({ doc, score }))
        .sort((x, y) => y.score - x.score || x.doc - y.doc)
        .slice(0, k);
    },
  };
}
