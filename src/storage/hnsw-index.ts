import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { Chunk } from "../core/knowledge/chunk.js";
import type { IdentifiedEmbeddings, ProgressReporter, VectorHit, VectorIndex } from "../core/ports.js";

/**
 * `<index dir>/manifest.json`: tells whether the saved index is still valid and, from format 2,
 * which version directory inside the index directory holds its HNSWLib files. Format 1 (older
 * releases) kept the files beside the manifest; it is still read, and replaced at the next rebuild.
 */
export interface IndexManifest {
  readonly format: 1 | 2;
  readonly contentHash: string;
  readonly embedder: string;
  readonly dimensions: number;
  readonly chunks: number;
  readonly builtAt: string;
  /** Version directory (a plain name inside the index directory) with the HNSWLib files; format 2. */
  readonly files?: string;
}

/** The steps of a rebuild after which a crash is survivable; see `openVectorIndex`'s `crashPoint`. */
export type RebuildStep = "files-saved" | "manifest-written";

const MANIFEST = "manifest.json";
const EMBED_BATCH = 64;
/** The files HNSWLib writes; format 1 kept them in the index directory itself. */
const HNSW_FILES = ["args.json", "hnswlib.index", "docstore.json"] as const;
const VERSION_DIR = /^v-[a-z0-9]+-[0-9a-f]+$/;
const MANIFEST_TMP = /^manifest\.json\.tmp-/;
/** Unreferenced versions and temporary manifests older than this are leftovers of a crash. */
const LEFTOVER_AGE_MS = 10 * 60 * 1000;

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

/** Where a manifest's HNSWLib files are; null when it names something other than a version directory. */
function filesDir(dir: string, manifest: IndexManifest): string | null {
  if (manifest.files === undefined) return manifest.format === 1 ? dir : null;
  return VERSION_DIR.test(manifest.files) ? path.join(dir, manifest.files) : null;
}

/** Flushes a file or directory to disk, so a rename that follows never points at unwritten data. */
async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, "r");
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
    if (!["EISDIR", "EPERM", "EINVAL", "EBADF"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Removes what the index no longer references: the version the swap replaced, format-1 files,
 * and leftovers of crashed rebuilds (old enough that no other process can still be writing them).
 */
async function removeStale(dir: string, current: string, previous: IndexManifest | null): Promise<void> {
  const replaced = previous?.files !== undefined && previous.files !== current && VERSION_DIR.test(previous.files) ? previous.files : null;
  for (const name of await readdir(dir)) {
    if (name === current || name === MANIFEST) continue;
    const target = path.join(dir, name);
    const legacy = previous?.format === 1 && (HNSW_FILES as readonly string[]).includes(name);
    let stale = name === replaced || legacy;
    if (!stale && (VERSION_DIR.test(name) || MANIFEST_TMP.test(name))) {
      const info = await stat(target).catch(() => null);
      stale = info !== null && Date.now() - info.mtimeMs > LEFTOVER_AGE_MS;
    }
    if (stale) await rm(target, { recursive: true, force: true });
  }
}

/**
 * Opens the HNSWLib index saved in `dir` when its manifest matches `contentHash` and the
 * embedder; otherwise embeds every chunk (in batches, reporting progress) and saves a new index.
 *
 * A rebuild never touches the index in use: it writes a new version directory beside it, flushes
 * it, writes the new manifest to a temporary file and renames it over `manifest.json` (atomic), then
 * removes the old version. At every instant the manifest on disk names a complete index, so a crash
 * or power loss during a rebuild leaves the previous index to be loaded at the next start.
 * `crashPoint` is a test hook called after each step; throwing from it simulates a crash there.
 */
export async function openVectorIndex(params: {
  dir: string;
  chunks: readonly Chunk[];
  embeddings: IdentifiedEmbeddings;
  contentHash: string;
  onProgress?: ProgressReporter;
  crashPoint?: (step: RebuildStep) => void | Promise<void>;
}): Promise<{ index: VectorIndex; rebuilt: boolean; manifest: IndexManifest }> {
  const { dir, chunks, embeddings, contentHash, onProgress, crashPoint } = params;
  const existing = await readManifest(dir);
  const existingFiles = existing ? filesDir(dir, existing) : null;
  if (existing && existingFiles && existing.contentHash === contentHash && existing.embedder === embeddings.id && existing.chunks === chunks.length) {
    try {
      onProgress?.({ phase: "load", done: 0, total: chunks.length });
      const store = await HNSWLib.load(existingFiles, embeddings);
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

  const version = `v-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const manifest: IndexManifest = {
    format: 2,
    contentHash,
    embedder: embeddings.id,
    dimensions,
    chunks: chunks.length,
    builtAt: new Date().toISOString(),
    files: version,
  };
  onProgress?.({ phase: "save", done: 0, total: 1 });
  await mkdir(dir, { recursive: true });
  const versionDir = path.join(dir, version);
  await store.save(versionDir);
  for (const file of HNSW_FILES) await fsyncPath(path.join(versionDir, file));
  await fsyncPath(versionDir);
  await crashPoint?.("files-saved");
  const tmpManifest = path.join(dir, `${MANIFEST}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  await writeFile(tmpManifest, JSON.stringify(manifest, null, 2));
  await fsyncPath(tmpManifest);
  await crashPoint?.("manifest-written");
  // Read again just before the swap: a concurrent rebuild may have installed a version since.
  const previous = await readManifest(dir);
  await rename(tmpManifest, path.join(dir, MANIFEST));
  await fsyncPath(dir);
  await removeStale(dir, version, previous).catch(() => undefined);
  onProgress?.({ phase: "save", done: 1, total: 1 });
  return { index: wrap(store, chunks.length), rebuilt: true, manifest };
}
