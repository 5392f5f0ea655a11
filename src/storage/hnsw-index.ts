import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import { z } from "zod/v4";
import type { Chunk } from "../core/knowledge/chunk.js";
import type { IdentifiedEmbeddings, IndexIntegrity, ProgressReporter, VectorHit, VectorIndex } from "../core/ports.js";

/** Size and sha256 of one saved HNSWLib file, as recorded in the manifest. */
export interface IndexFileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * `<index dir>/manifest.json`: tells whether the saved index is still valid and, from format 2,
 * which version directory inside the index directory holds its HNSWLib files. Format 3 adds the
 * size and sha256 of each of those files, checked before any of their bytes reach hnswlib-node
 * (native code that crashes the process on damaged input). Formats 1 (files beside the manifest)
 * and 2 cannot be checked: such an index is rebuilt once, and the old files removed.
 */
export interface IndexManifest {
  readonly format: 1 | 2 | 3;
  readonly contentHash: string;
  readonly embedder: string;
  readonly dimensions: number;
  readonly chunks: number;
  readonly builtAt: string;
  /** Version directory (a plain name inside the index directory) with the HNSWLib files; format 2. */
  readonly files?: string;
  /** Size and sha256 of each file in `files`, by file name; format 3. */
  readonly checksums?: Readonly<Record<string, IndexFileDigest>>;
}

/** Checks an index's files on demand, hashing them again only when needed (see `watchIndexFiles`). */
export interface IndexWatch {
  check(): Promise<IndexIntegrity>;
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
/** A check hashes the files again after this long even when their size and times did not change (bit rot). */
export const INDEX_RECHECK_MS = 10 * 60 * 1000;

const DigestSchema = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const ManifestSchema = z.object({
  format: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  contentHash: z.string(),
  embedder: z.string(),
  dimensions: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  builtAt: z.string(),
  files: z.string().optional(),
  checksums: z.record(z.string(), DigestSchema).optional(),
});

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

/** The manifest in `dir`; null when it is missing or not a manifest (the index is then rebuilt). */
async function readManifest(dir: string): Promise<IndexManifest | null> {
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(path.join(dir, MANIFEST), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Where a manifest's HNSWLib files are; null when it names something other than a version directory. */
function filesDir(dir: string, manifest: IndexManifest): string | null {
  if (manifest.files === undefined) return manifest.format === 1 ? dir : null;
  return VERSION_DIR.test(manifest.files) ? path.join(dir, manifest.files) : null;
}

/**
 * Size and sha256 of a file, read in chunks: the index files are megabytes, and reading one whole
 * only to hash it would leave the process holding that much more memory after every check.
 */
async function digestFile(file: string): Promise<IndexFileDigest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Null when every HNSWLib file of `manifest` has the size and sha256 it records; otherwise what
 * is wrong, naming the file. Reads the files only to hash them: nothing is parsed. Never throws.
 */
export async function verifyIndexFiles(dir: string, manifest: IndexManifest): Promise<string | null> {
  const files = filesDir(dir, manifest);
  if (!files) return "the manifest names no version directory";
  if (!manifest.checksums) return "the manifest has no checksums (saved by an older release)";
  for (const name of HNSW_FILES) {
    const expected = manifest.checksums[name];
    if (!expected) return `${name}: no checksum in the manifest`;
    let actual: IndexFileDigest;
    try {
      // Sizes first: a truncated or emptied file is found without reading it.
      const { size } = await stat(path.join(files, name));
      if (size !== expected.bytes) return `${name}: ${size} bytes, the manifest says ${expected.bytes}`;
      actual = await digestFile(path.join(files, name));
    } catch (err) {
      return `${name}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) return `${name}: sha256 does not match the manifest`;
  }
  return null;
}

/** Size, inode and times of each file: any write, replacement or removal changes it. */
async function filesSignature(files: string): Promise<string> {
  const parts = await Promise.all(
    HNSW_FILES.map(async (name) => {
      const info = await stat(path.join(files, name)).catch(() => null);
      return info ? `${info.size}:${info.ino}:${info.mtimeMs}:${info.ctimeMs}` : "missing";
    }),
  );
  return parts.join("|");
}

/**
 * Checks the files of the index in use for /healthz, cheaply: each check only stats them, and
 * hashes them in full (`verifyIndexFiles`) when a size, inode or time changed, or when the last
 * full check is older than `recheckMs` (default INDEX_RECHECK_MS). Concurrent checks share one run.
 */
export function watchIndexFiles(params: { dir: string; manifest: IndexManifest; recheckMs?: number; now?: () => number }): IndexWatch {
  const { dir, manifest } = params;
  const recheckMs = params.recheckMs ?? INDEX_RECHECK_MS;
  const now = params.now ?? Date.now;
  const files = filesDir(dir, manifest);
  let last: { signature: string; at: number; result: IndexIntegrity } | null = null;
  let running: Promise<IndexIntegrity> | null = null;
  const run = async (): Promise<IndexIntegrity> => {
    const signature = files ? await filesSignature(files) : "";
    if (last && last.signature === signature && now() - last.at < recheckMs) return last.result;
    const problem = await verifyIndexFiles(dir, manifest);
    const at = now();
    last = { signature, at, result: { ok: problem === null, problem, verifiedAt: new Date(at).toISOString() } };
    return last.result;
  };
  return {
    check() {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

/** The integrity of an index that exists only in memory: never ok, for the reason given. */
function unsavedWatch(reason: string): IndexWatch {
  const result: IndexIntegrity = { ok: false, problem: `the rebuilt index is not saved: ${reason}`, verifiedAt: null };
  return { check: async () => result };
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

/** What `openVectorIndex` opened or built. */
export interface OpenedVectorIndex {
  readonly index: VectorIndex;
  readonly rebuilt: boolean;
  readonly manifest: IndexManifest;
  /** What was wrong with the saved files when they were found damaged and rebuilt; null otherwise. */
  readonly damage: string | null;
  /** Why a rebuilt index could not be saved (it serves from memory); null when it is on disk. */
  readonly unsaved: string | null;
  /** Checks the saved files of this index again (for /healthz). */
  readonly integrity: IndexWatch;
}

/**
 * Loads a saved index whose manifest matches, after checking every file against the manifest's
 * sizes and sha256 (hnswlib-node never sees a damaged byte). Returns what is wrong instead of
 * throwing when the files are damaged, or null when the index has no checksums to check.
 */
async function loadVerified(dir: string, manifest: IndexManifest, files: string, embeddings: IdentifiedEmbeddings): Promise<{ store: HNSWLib } | { damage: string } | null> {
  if (manifest.format !== 3 || !manifest.checksums) return null;
  const damage = await verifyIndexFiles(dir, manifest);
  if (damage) return { damage };
  try {
    const store = await HNSWLib.load(files, embeddings);
    const count = store.index.getCurrentCount();
    if (count !== manifest.chunks) return { damage: `hnswlib.index: ${count} vectors, the manifest says ${manifest.chunks}` };
    return { store };
  } catch (err) {
    return { damage: `the files could not be loaded: ${(err as Error).message}` };
  }
}

/**
 * Writes a new version directory beside the index in use, flushes it, writes the new manifest
 * (with each file's size and sha256, hashed from disk) to a temporary file and renames it over
 * `manifest.json`, then removes the old version. Returns the installed manifest.
 */
async function saveVersion(dir: string, store: HNSWLib, base: IndexManifest, step: (s: RebuildStep) => Promise<void>): Promise<IndexManifest> {
  const version = base.files as string;
  await mkdir(dir, { recursive: true });
  const versionDir = path.join(dir, version);
  await store.save(versionDir);
  const checksums: Record<string, IndexFileDigest> = {};
  for (const file of HNSW_FILES) {
    await fsyncPath(path.join(versionDir, file));
    checksums[file] = await digestFile(path.join(versionDir, file));
  }
  await fsyncPath(versionDir);
  await step("files-saved");
  const manifest: IndexManifest = { ...base, checksums };
  const tmpManifest = path.join(dir, `${MANIFEST}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  await writeFile(tmpManifest, JSON.stringify(manifest, null, 2));
  await fsyncPath(tmpManifest);
  await step("manifest-written");
  // Read again just before the swap: a concurrent rebuild may have installed a version since.
  const previous = await readManifest(dir);
  await rename(tmpManifest, path.join(dir, MANIFEST));
  await fsyncPath(dir);
  await removeStale(dir, version, previous).catch(() => undefined);
  return manifest;
}

/**
 * Opens the HNSWLib index saved in `dir` when its manifest matches `contentHash` and the
 * embedder and its files match the manifest's checksums; otherwise embeds every chunk (in
 * batches, reporting progress) and saves a new index. Damaged files are never loaded: they are
 * reported in `damage` and replaced by the rebuild.
 *
 * A rebuild never touches the index in use: see `saveVersion`. At every instant the manifest on
 * disk names a complete index, so a crash or power loss during a rebuild leaves the previous index
 * to be loaded at the next start. If saving fails (disk full, read-only), the rebuilt index is
 * still returned, serving from memory, with the reason in `unsaved`.
 * `crashPoint` is a test hook called after each step; throwing from it simulates a crash there
 * (the error is thrown on, not taken for a failed save).
 */
export async function openVectorIndex(params: {
  dir: string;
  chunks: readonly Chunk[];
  embeddings: IdentifiedEmbeddings;
  contentHash: string;
  onProgress?: ProgressReporter;
  crashPoint?: (step: RebuildStep) => void | Promise<void>;
}): Promise<OpenedVectorIndex> {
  const { dir, chunks, embeddings, contentHash, onProgress, crashPoint } = params;
  const existing = await readManifest(dir);
  const existingFiles = existing ? filesDir(dir, existing) : null;
  let damage: string | null = null;
  if (existing && existingFiles && existing.contentHash === contentHash && existing.embedder === embeddings.id && existing.chunks === chunks.length) {
    onProgress?.({ phase: "load", done: 0, total: chunks.length });
    const loaded = await loadVerified(dir, existing, existingFiles, embeddings);
    if (loaded && "store" in loaded) {
      onProgress?.({ phase: "load", done: chunks.length, total: chunks.length });
      return { index: wrap(loaded.store, chunks.length), rebuilt: false, manifest: existing, damage: null, unsaved: null, integrity: watchIndexFiles({ dir, manifest: existing }) };
    }
    damage = loaded?.damage ?? null;
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

  const base: IndexManifest = {
    format: 3,
    contentHash,
    embedder: embeddings.id,
    dimensions,
    chunks: chunks.length,
    builtAt: new Date().toISOString(),
    files: `v-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`,
  };
  onProgress?.({ phase: "save", done: 0, total: 1 });
  let stoppedByHook = false;
  const step = async (s: RebuildStep) => {
    try {
      await crashPoint?.(s);
    } catch (err) {
      stoppedByHook = true;
      throw err;
    }
  };
  let manifest: IndexManifest;
  try {
    manifest = await saveVersion(dir, store, base, step);
  } catch (err) {
    if (stoppedByHook) throw err;
    const unsaved = (err as Error).message;
    return { index: wrap(store, chunks.length), rebuilt: true, manifest: base, damage, unsaved, integrity: unsavedWatch(unsaved) };
  }
  onProgress?.({ phase: "save", done: 1, total: 1 });
  return { index: wrap(store, chunks.length), rebuilt: true, manifest, damage, unsaved: null, integrity: watchIndexFiles({ dir, manifest }) };
}
