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
  // All postings in two flat arrays (compressed rows): a term's documents and counts are the
  // slice from offsets[i] to offsets[i + 1]. One Map entry per term, no object per posting.
  const termIndex = new Map<string, number>();
  const offsets = new Int32Array(postings.size + 1);
  let count = 0;
  for (const list of postings.values()) count += list.length;
  const postingDocs = new Int32Array(count);
  const postingTfs = new Float32Array(count);
  let at = 0;
  for (const [t, list] of postings) {
    offsets[termIndex.size] = at;
    termIndex.set(t, termIndex.size);
    for (const [doc, tf] of list) {
      postingDocs[at] = doc;
      postingTfs[at] = tf;
      at++;
    }
  }
  offsets[termIndex.size] = at;
  postings.clear();
  const df = (i: number) => (offsets[i + 1] as number) - (offsets[i] as number);
  // The length part of each document's BM25 denominator, computed once.
  const lengthNorm = Float64Array.from(lengths, (len) => k1 * (1 - b + (b * len) / avgdl));
  const maxIdf = idfOf(0);

  return {
    size: n,
    idf: (term) => {
      const i = termIndex.get(term);
      return i === undefined ? maxIdf : idfOf(df(i));
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
        const t = termIndex.get(term);
        if (t === undefined) continue;
        const weight = idfOf(df(t)) * (k1 + 1);
        for (let i = offsets[t] as number, end = offsets[t + 1] as number; i < end; i++) {
          const doc = postingDocs[i] as number;
          if (allowed !== null && allowed[doc] === 0) continue;
          const tf = postingTfs[i] as number;
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
