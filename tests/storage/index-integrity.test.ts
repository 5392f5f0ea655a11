/**
 * Checksums of the saved vector index: every file is checked against the manifest before
 * hnswlib-node reads a byte of it (its native code crashes the process on damaged input), damaged
 * files are rebuilt, the check for /healthz is cached, and a rebuild that cannot be saved still
 * serves from memory. A slice of the real chunks keeps each rebuild short.
 */
import { appendFile, mkdtemp, readFile, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createConfig } from "../../src/config.js";
import type { Chunk } from "../../src/core/knowledge/chunk.js";
import type { IdentifiedEmbeddings } from "../../src/core/ports.js";
import { buildKnowledgeBase } from "../../src/core/knowledge/base.js";
import { embeddingsSettings } from "../../src/app/engine.js";
import { createEmbeddings } from "../../src/storage/embeddings.js";
import { openVectorIndex, verifyIndexFiles, watchIndexFiles, type IndexManifest } from "../../src/storage/hnsw-index.js";
import { readKnowledgeFolder } from "../../src/storage/knowledge-folder.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

let work: string;
let chunks: readonly Chunk[];
let embeddings: IdentifiedEmbeddings;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-index-integrity-"));
  const knowledge = buildKnowledgeBase(await readKnowledgeFolder(KNOWLEDGE_DIR));
  chunks = knowledge.chunks.slice(0, 60);
  embeddings = createEmbeddings(embeddingsSettings(createConfig({ KNOWLEDGE_DIR, DATA_DIR: work })), knowledge.analyzer);
});
afterAll(async () => rm(work, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

let dirs = 0;
const freshDir = () => path.join(work, `index-${++dirs}`);
const open = (dir: string) => openVectorIndex({ dir, chunks, embeddings, contentHash: "hash-a" });
const manifestOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as IndexManifest;
const fileOf = (dir: string, manifest: IndexManifest, name: string) => path.join(dir, manifest.files as string, name);

async function expectServing(index: { search(v: number[], k: number): Promise<Array<{ chunkId: string }>> }) {
  const hits = await index.search(await embeddings.embedQuery("điện thoại 2G có dùng được sau khi tắt sóng không"), 3);
  expect(hits).toHaveLength(3);
  const ids = new Set(chunks.map((c) => c.id));
  for (const hit of hits) expect(ids.has(hit.chunkId)).toBe(true);
}

/** Overwrites `length` bytes in the middle of a file, keeping its size. */
async function overwriteMiddle(file: string, length = 256): Promise<void> {
  const data = await readFile(file);
  const at = Math.floor(data.length / 2);
  for (let i = 0; i < length && at + i < data.length; i++) data[at + i] = (data[at + i] as number) ^ 0x5a;
  await writeFile(file, data);
}

describe("a saved index", () => {
  it("should record the size and sha256 of each file and load only after checking them", async () => {
    const dir = freshDir();
    const built = await open(dir);
    expect(built).toMatchObject({ rebuilt: true, damage: null, unsaved: null });
    const manifest = await manifestOf(dir);
    expect(manifest.format).toBe(3);
    expect(Object.keys(manifest.checksums ?? {}).sort()).toEqual(["args.json", "docstore.json", "hnswlib.index"]);
    for (const [name, digest] of Object.entries(manifest.checksums ?? {})) {
      expect(digest.bytes).toBe((await readFile(fileOf(dir, manifest, name))).length);
      expect(digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await verifyIndexFiles(dir, manifest)).toBeNull();

    const again = await open(dir);
    expect(again).toMatchObject({ rebuilt: false, damage: null });
    await expectServing(again.index);
    expect(await again.integrity.check()).toMatchObject({ ok: true, problem: null });
  });

  it.each([
    ["bytes changed inside hnswlib.index", "hnswlib.index", (f: string) => overwriteMiddle(f), /hnswlib\.index: sha256/],
    ["a truncated hnswlib.index", "hnswlib.index", (f: string) => truncate(f, 1000), /hnswlib\.index: 1000 bytes/],
    ["an emptied docstore", "docstore.json", (f: string) => writeFile(f, "[]"), /docstore\.json: 2 bytes/],
    ["a zero-byte docstore", "docstore.json", (f: string) => writeFile(f, ""), /docstore\.json: 0 bytes/],
    ["bytes appended to the docstore", "docstore.json", (f: string) => appendFile(f, " "), /docstore\.json: \d+ bytes/],
    ["other dimensions in args.json", "args.json", (f: string) => writeFile(f, '{"space":"cosine","numDimensions":7}'), /args\.json/],
    ["a missing hnswlib.index", "hnswlib.index", (f: string) => unlink(f), /hnswlib\.index: cannot be read \(ENOENT\)/],
  ] as const)("should never hand hnswlib-node %s, and rebuild instead", async (_label, name, damage, problem) => {
    const dir = freshDir();
    await open(dir);
    const before = await manifestOf(dir);
    await damage(fileOf(dir, before, name));
    expect(await verifyIndexFiles(dir, before)).toMatch(problem);

    const load = vi.spyOn(HNSWLib, "load");
    const opened = await open(dir);
    expect(load).not.toHaveBeenCalled();
    expect(opened.rebuilt).toBe(true);
    expect(opened.damage).toMatch(problem);
    await expectServing(opened.index);
    const after = await manifestOf(dir);
    expect(after.files).not.toBe(before.files);
    expect(await verifyIndexFiles(dir, after)).toBeNull();
    expect((await open(dir)).rebuilt).toBe(false);
  });

  it("should rebuild when the manifest's checksums do not match the files (a manifest from another build)", async () => {
    const dir = freshDir();
    await open(dir);
    const manifest = await manifestOf(dir);
    const wrong = { ...manifest, checksums: { ...manifest.checksums, "args.json": { bytes: manifest.checksums?.["args.json"]?.bytes ?? 0, sha256: "0".repeat(64) } } };
    await writeFile(path.join(dir, "manifest.json"), JSON.stringify(wrong));
    const opened = await open(dir);
    expect(opened.rebuilt).toBe(true);
    expect(opened.damage).toBe("args.json: sha256 does not match the manifest");
  });

  it("should rebuild over a manifest that is not one (garbage, wrong types)", async () => {
    for (const text of ["{", '{"format":3,"contentHash":"hash-a","embedder":1}', "null"]) {
      const dir = freshDir();
      await open(dir);
      await writeFile(path.join(dir, "manifest.json"), text);
      const opened = await open(dir);
      expect(opened.rebuilt).toBe(true);
      await expectServing(opened.index);
    }
  });
});

describe("the integrity check for /healthz", () => {
  it("should hash the files once, then only stat them until they change or the recheck interval passes", async () => {
    const dir = freshDir();
    await open(dir);
    const manifest = await manifestOf(dir);
    let now = Date.parse("2026-12-01T08:00:00Z");
    const watch = watchIndexFiles({ dir, manifest, recheckMs: 60_000, now: () => now });

    const first = await watch.check();
    expect(first).toEqual({ ok: true, problem: null, verifiedAt: "2026-12-01T08:00:00.000Z" });
    now += 30_000;
    // Nothing changed and the interval has not passed: the cached result, not a new hash.
    expect(await watch.check()).toBe(first);
    now += 31_000;
    const rehashed = await watch.check();
    expect(rehashed.verifiedAt).toBe("2026-12-01T08:01:01.000Z");

    await overwriteMiddle(fileOf(dir, manifest, "hnswlib.index"));
    now += 1_000;
    expect(await watch.check()).toEqual({ ok: false, problem: "hnswlib.index: sha256 does not match the manifest", verifiedAt: "2026-12-01T08:01:02.000Z" });

    // Another file changes within the interval: hashed again at once.
    await writeFile(fileOf(dir, manifest, "docstore.json"), "[]");
    now += 1_000;
    expect((await watch.check()).verifiedAt).toBe("2026-12-01T08:01:03.000Z");
  });

  it("should share one run between concurrent checks", async () => {
    const dir = freshDir();
    await open(dir);
    const watch = watchIndexFiles({ dir, manifest: await manifestOf(dir) });
    const [a, b] = [watch.check(), watch.check()];
    expect(a).toBe(b);
    expect((await a).ok).toBe(true);
  });
});

describe("a rebuild that cannot be saved", () => {
  it("should serve from memory and report why, never ok", async () => {
    const dir = freshDir();
    // The index directory is a file: nothing can be written there.
    await writeFile(dir, "not a directory");
    const opened = await open(dir);
    expect(opened.rebuilt).toBe(true);
    expect(opened.unsaved).toMatch(/EEXIST|ENOTDIR/);
    await expectServing(opened.index);
    const integrity = await opened.integrity.check();
    expect(integrity.ok).toBe(false);
    expect(integrity.problem).toMatch(/^the rebuilt index is not saved: /);
  });

  it("should still throw what the crash hook throws (a simulated crash is not a failed save)", async () => {
    const dir = freshDir();
    await expect(
      openVectorIndex({
        dir,
        chunks,
        embeddings,
        contentHash: "hash-a",
        crashPoint: () => {
          throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
  });
});
