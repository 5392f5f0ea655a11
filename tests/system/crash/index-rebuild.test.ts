/**
 * Re-indexing is atomic: a rebuild writes a new version beside the index in use and swaps the
 * manifest with one rename, so a crash at any point leaves a complete index for the next start.
 * Crashes are simulated twice over: by the rebuild's test hook throwing between steps, and by
 * SIGKILL of a child process that rebuilds in a loop (tests/system/crash/fixtures/rebuild-loop.ts).
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../../src/config.js";
import type { IdentifiedEmbeddings } from "../../../src/core/ports.js";
import { buildKnowledgeBase, type KnowledgeBase } from "../../../src/core/knowledge/base.js";
import { embeddingsSettings } from "../../../src/app/engine.js";
import { createEmbeddings } from "../../../src/storage/embeddings.js";
import { openVectorIndex, type IndexManifest, type RebuildStep } from "../../../src/storage/hnsw-index.js";
import { readKnowledgeFolder } from "../../../src/storage/knowledge-folder.js";
import { KNOWLEDGE_DIR, REPO_ROOT } from "../../helpers/engine.js";

let work: string;
let knowledge: KnowledgeBase;
let embeddings: IdentifiedEmbeddings;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-index-crash-"));
  knowledge = buildKnowledgeBase(await readKnowledgeFolder(KNOWLEDGE_DIR));
  embeddings = createEmbeddings(embeddingsSettings(createConfig({ KNOWLEDGE_DIR, DATA_DIR: work })), knowledge.analyzer);
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const open = (dir: string, contentHash: string, crashPoint?: (step: RebuildStep) => void) =>
  openVectorIndex({ dir, chunks: knowledge.chunks, embeddings, contentHash, ...(crashPoint ? { crashPoint } : {}) });

const readManifest = async (dir: string) => JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as IndexManifest;

/** The index answers: the nearest chunks to a real question are chunks of the knowledge folder. */
async function expectServing(index: { search(v: number[], k: number): Promise<Array<{ chunkId: string }>> }) {
  const hits = await index.search(await embeddings.embedQuery("điện thoại 2G có dùng được sau khi tắt sóng không"), 3);
  expect(hits).toHaveLength(3);
  const ids = new Set(knowledge.chunks.map((c) => c.id));
  for (const hit of hits) expect(ids.has(hit.chunkId)).toBe(true);
}

describe("a rebuild that fails between its steps", () => {
  it.each(["files-saved", "manifest-written"] as const)("should leave the previous index to load when it stops after %s", async (step) => {
    const dir = path.join(work, `hook-${step}`);
    expect((await open(dir, "hash-a")).rebuilt).toBe(true);
    const before = await readManifest(dir);

    await expect(
      open(dir, "hash-b", (s) => {
        if (s === step) throw new Error("simulated crash");
      }),
    ).rejects.toThrow("simulated crash");

    // The manifest still names the previous, complete index: it loads without a rebuild.
    expect(await readManifest(dir)).toEqual(before);
    const next = await open(dir, "hash-a");
    expect(next.rebuilt).toBe(false);
    expect(next.manifest.contentHash).toBe("hash-a");
    await expectServing(next.index);

    // Run again, the interrupted rebuild completes, and its index is the one used from then on.
    expect((await open(dir, "hash-b")).rebuilt).toBe(true);
    const after = await open(dir, "hash-b");
    expect(after.rebuilt).toBe(false);
    await expectServing(after.index);
    // The replaced version was removed; the crashed attempt's fresh leftovers wait until they are old.
    const entries = await readdir(dir);
    expect(entries).toContain(after.manifest.files);
    expect(entries).not.toContain(before.files);
  });

  it.each([1, 2] as const)("should rebuild an index saved by an older release (format %i, no checksums) once, atomically, and remove its files", async (format) => {
    const dir = path.join(work, `format-${format}`);
    const source = path.join(work, `format-${format}-source`);
    const built = await open(source, "hash-a");
    const version = built.manifest.files as string;
    // Lay out the files the way that release did: format 1 beside the manifest, format 2 in a version directory.
    await cp(path.join(source, version), format === 1 ? dir : path.join(dir, version), { recursive: true });
    const { files: _files, checksums: _checksums, ...rest } = built.manifest;
    await writeFile(path.join(dir, "manifest.json"), JSON.stringify({ ...rest, format, ...(format === 2 ? { files: version } : {}) }));
    const legacy = await readManifest(dir);

    // Its files cannot be checked, so they are never loaded; a crash during the rebuild leaves them in place.
    await expect(open(dir, "hash-a", (s) => {
      if (s === "manifest-written") throw new Error("simulated crash");
    })).rejects.toThrow();
    expect(await readManifest(dir)).toEqual(legacy);

    const upgraded = await open(dir, "hash-a");
    expect(upgraded).toMatchObject({ rebuilt: true, damage: null, unsaved: null });
    expect(upgraded.manifest.format).toBe(3);
    const entries = await readdir(dir);
    for (const legacyFile of ["args.json", "hnswlib.index", "docstore.json"]) expect(entries).not.toContain(legacyFile);
    if (format === 2) expect(entries).not.toContain(version);
    const next = await open(dir, "hash-a");
    expect(next.rebuilt).toBe(false);
    await expectServing(next.index);
  });
});

/**
 * Starts the rebuild loop and SIGKILLs it when `marker` appears after at least one complete
 * build (so an index exists). With `pauseAt`, the child stops at that step until killed.
 */
function killDuringRebuild(dir: string, marker: string, pauseAt?: RebuildStep): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/system/crash/fixtures/rebuild-loop.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, INDEX_DIR: dir, KNOWLEDGE_DIR, ...(pauseAt ? { PAUSE_AT: pauseAt } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let killed = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`marker "${marker}" not seen:\n${out}`));
    }, 45_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const firstBuild = out.indexOf("built ");
      if (!killed && firstBuild >= 0 && out.indexOf(marker, firstBuild) >= 0) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve(out);
      else reject(new Error(`rebuild loop exited without being killed:\n${out}`));
    });
  });
}

describe("a rebuilding process killed with SIGKILL", () => {
  it.each([
    ["while embedding", "phase embed", undefined],
    ["while HNSWLib writes its files", "phase save", undefined],
    ["after the new files were flushed", "step files-saved", "files-saved"],
    ["after the new manifest was written, before the rename", "step manifest-written", "manifest-written"],
  ] as const)("should leave a complete index for the next start when killed %s", async (_label, marker, pauseAt) => {
    const dir = path.join(work, `kill-${marker.replace(/\W+/g, "-")}`);
    const out = await killDuringRebuild(dir, marker, pauseAt);
    expect(out).toContain("built hash-a");

    const manifest = await readManifest(dir);
    expect(["hash-a", "hash-b"]).toContain(manifest.contentHash);
    const next = await open(dir, manifest.contentHash);
    expect(next.rebuilt).toBe(false);
    expect(next.manifest).toEqual(manifest);
    await expectServing(next.index);
    if (pauseAt) {
      // Stopped before the swap: the manifest is still the last completed build's.
      const completed = [...out.matchAll(/built (hash-[ab])/g)].map((m) => m[1]);
      expect(manifest.contentHash).toBe(completed.at(-1));
    }
  }, 60_000);
});
