import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { buildEngine, engineSettings } from "../../src/app/engine.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";
import { startFakeOllama, startFakeOpenAI, type FakeLlm } from "../helpers/fake-llm.js";

let openai: FakeLlm;
let ollama: FakeLlm;
let work: string;

beforeAll(async () => {
  openai = await startFakeOpenAI({ dimensions: 24 });
  ollama = await startFakeOllama({ dimensions: 16 });
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-embed-"));
});
afterAll(async () => {
  await openai.close();
  await ollama.close();
  await rm(work, { recursive: true, force: true });
});

const manifestOf = async (dataDir: string) => JSON.parse(await readFile(path.join(dataDir, "index", "manifest.json"), "utf8")) as { embedder: string; dimensions: number; chunks: number };

describe("changing EMBEDDINGS_PROVIDER", () => {
  it("should rebuild the index with each embedder and store its identity and dimension", async () => {
    const dataDir = path.join(work, "data");
    const base = { KNOWLEDGE_DIR, DATA_DIR: dataDir };

    const hashed = await buildEngine(engineSettings(createConfig(base)));
    expect(hashed.index.manifest).toMatchObject({ embedder: "hashed-ngrams-v1-d768", dimensions: 768 });

    const viaOpenAI = createConfig({ ...base, EMBEDDINGS_PROVIDER: "openai-compatible", EMBEDDINGS_BASE_URL: `${openai.url}/v1`, EMBEDDINGS_MODEL: "fake-embed" });
    const first = await buildEngine(engineSettings(viaOpenAI));
    expect(first.index.rebuilt).toBe(true);
    expect(first.index.manifest).toMatchObject({ embedder: "openai-compatible:fake-embed", dimensions: 24, chunks: first.knowledge.chunks.length });
    expect(await manifestOf(dataDir)).toMatchObject({ embedder: "openai-compatible:fake-embed", dimensions: 24 });
    const embedCalls = openai.requests.filter((r) => r.path === "/v1/embeddings").length;
    expect(embedCalls).toBeGreaterThan(0);

    // Same embedder again: the saved index is reused; only the question is embedded.
    const again = await buildEngine(engineSettings(viaOpenAI));
    expect(again.index.rebuilt).toBe(false);
    // A curated answer needs no embedding; a question answered from passages is embedded once.
    const r = await again.answer({ question: "ty le dung chung tram bts cua xa cong hoa" });
    expect(r.answer).toContain("30%");
    expect(openai.requests.filter((x) => x.path === "/v1/embeddings").length).toBe(embedCalls);
    const quoted = await again.answer({ question: "Thông tư 03/2024/TT-BTTTT quy định băng tần 1800 MHz thế nào" });
    expect(quoted.kind).toBe("extractive");
    expect(openai.requests.filter((x) => x.path === "/v1/embeddings").length).toBe(embedCalls + 1);

    const viaOllama = createConfig({ ...base, EMBEDDINGS_PROVIDER: "ollama", OLLAMA_BASE_URL: ollama.url, EMBEDDINGS_MODEL: "nomic-embed-text" });
    const third = await buildEngine(engineSettings(viaOllama));
    expect(third.index.rebuilt).toBe(true);
    expect(third.index.manifest).toMatchObject({ embedder: "ollama:nomic-embed-text", dimensions: 16 });
    const embed = ollama.requests.find((x) => x.path === "/api/embed");
    expect(embed?.body).toMatchObject({ model: "nomic-embed-text" });
    expect(Array.isArray(embed?.body.input)).toBe(true);
    expect((await third.answer({ question: "ty le dung chung tram bts cua xa cong hoa" })).answer).toContain("30%");

    const back = await buildEngine(engineSettings(createConfig(base)));
    expect(back.index.rebuilt).toBe(true);
    expect(back.index.manifest).toMatchObject({ embedder: "hashed-ngrams-v1-d768", dimensions: 768 });
  });

  it("should name the requested dimension in the Ollama embedder's identity", async () => {
    const dataDir = path.join(work, "data-dims");
    const engine = await buildEngine(engineSettings(
      createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, EMBEDDINGS_PROVIDER: "ollama", OLLAMA_BASE_URL: ollama.url, EMBEDDINGS_MODEL: "bge-m3", EMBEDDINGS_DIMENSIONS: "16" })),
    );
    expect(engine.index.manifest.embedder).toBe("ollama:bge-m3:d16");
    expect(ollama.requests.filter((x) => x.path === "/api/embed").at(-1)?.body).toMatchObject({ model: "bge-m3", dimensions: 16 });
  });

  it("should fail to start with INDEX_BUILD_FAILED when the embeddings server cannot be reached", async () => {
    const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: path.join(work, "data-down"), EMBEDDINGS_PROVIDER: "ollama", OLLAMA_BASE_URL: "http://127.0.0.1:9", EMBEDDINGS_MODEL: "x" });
    await expect(buildEngine(engineSettings(config))).rejects.toMatchObject({ code: "INDEX_BUILD_FAILED" });
  });
});
