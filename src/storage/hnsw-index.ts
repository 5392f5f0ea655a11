import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { Chunk } from "../core/knowledge/chunk.js";
import type { IdentifiedEmbeddings, ProgressReporter, VectorHit, VectorIndex } from "../core/ports.js";

/** What is stored next to the HNSWLib files, to tell whether the saved index is still valid. */
export interface IndexManifest {
  readonly format: 1;
  readonly contentHash: string;
  readonly embedder: string;
  readonly dimensions: number;
  readonly chunks: number;
  readonly builtAt: string;
}

const MANIFEST = "manifest.json";
const EMBED_BATCH = 64;

function wrap(store: HNSWLib, count: number): VectorIndex {
  return {
    async search(vector, k): Promise<VectorHit[]> {
      const n = Math.min(k, count);
      if (n === 0) return [];
      const results = await store.similaritySearchVectorWithScore(vector, n);
      return results.map(([doc, distance]) => ({ chunkId: String(doc.metadata.chunkId), distance }));
    },
  };
}

async function readManifest(dir: string): Promise<IndexManifest | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST), "utf8")) as IndexManifest;
  } catch {
    return null;
  }
}

/**
 * Opens the HNSWLib index saved in `dir` when its manifest matches `contentHash` and the
 * embedder; otherwise embeds every chunk (in batches, reporting progress), saves the index to a
 * temporary directory and swaps it in, so a crash never leaves a half-written index.
 */
export async function openVectorIndex(params: {
  dir: string;
  chunks: readonly Chunk[];
  embeddings: IdentifiedEmbeddings;
  contentHash: string;
  onProgress?: ProgressReporter;
}): Promise<{ index: VectorIndex; rebuilt: boolean; manifest: IndexManifest }> {
  const { dir, chunks, embeddings, contentHash, onProgress } = params;
  const existing = await readManifest(dir);
  if (existing && existing.contentHash === contentHash && existing.embedder === embeddings.id && existing.chunks === chunks.length) {
    try {
      onProgress?.({ phase: "load", done: 0, total: chunks.length });
      const store = await HNSWLib.load(dir, embeddings);
      onProgress?.({ phase: "load", done: chunks.length, total: chunks.length });
      return { index: wrap(store, chunks.length), rebuilt: false, manifest: existing };
    } catch {
      // A damaged index is rebuilt below.
    }
  }

  const vectors: number[][] = [];
  onProgress?.({ phase: "embed", done: 0, total: chunks.length });
  for (let i = 0; i < chunks.length; i += EMBED_BATCH) {
    const batch = chunks.slice(i, i + EMBED_BATCH);
    vectors.push(...(await embeddings.embedDocuments(batch.map((c) => c.searchText))));
    onProgress?.({ phase: "embed", done: Math.min(i + EMBED_BATCH, chunks.length), total: chunks.length });
  }
  const dimensions = vectors[0]?.length ?? 0;
  const store = new HNSWLib(embeddings, { space: "cosine", numDimensions: dimensions });
  await store.addVectors(
    vectors,
    chunks.map((c) => new Document({ pageContent: c.searchText, metadata: { chunkId: c.id } })),
  );

  const manifest: IndexManifest = {
    format: 1,
    contentHash,
    embedder: embeddings.id,
    dimensions,
    chunks: chunks.length,
    builtAt: new Date().toISOString(),
  };
  onProgress?.({ phase: "save", done: 0, total: 1 });
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await store.save(tmp);
  await writeFile(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  await rename(dir, old).catch(() => undefined);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
  onProgress?.({ phase: "save", done: 1, total: 1 });
  return { index: wrap(store, chunks.length), rebuilt: true, manifest };
}
