import type { Embeddings } from "@langchain/core/embeddings";

/** A nearest-neighbour hit: chunk id and cosine distance (0 = same direction, lower is better). */
export interface VectorHit {
  readonly chunkId: string;
  readonly distance: number;
}

/** The vector side of hybrid retrieval (implemented with HNSWLib in `storage/`). */
export interface VectorIndex {
  /** The `k` nearest chunks to `vector`, nearest first. */
  search(vector: number[], k: number): Promise<VectorHit[]>;
}

/** An embedder with a stable identity, stored with the index so a change forces a rebuild. */
export interface IdentifiedEmbeddings extends Embeddings {
  readonly id: string;
}

/** Reports index-build progress (done of total chunks) to whoever is listening. */
export type ProgressReporter = (event: { phase: "parse" | "embed" | "save" | "load"; done: number; total: number }) => void;
