import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { buildEngine, engineSettings } from "../../src/app/engine.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-index-"));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe("the saved vector index", () => {
  it("should be built once, reused while knowledge is unchanged, and rebuilt when it changes", async () => {
    const knowledge = path.join(work, "knowledge");
    await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
    const config = createConfig({ KNOWLEDGE_DIR: knowledge, DATA_DIR: path.join(work, "data") });

    const phases: string[] = [];
    const first = await buildEngine(engineSettings(config), { onProgress: (e) => phases.push(e.phase) });
    expect(first.index.rebuilt).toBe(true);
    expect(phases).toContain("embed");
    const manifest = JSON.parse(await readFile(path.join(work, "data/index/manifest.json"), "utf8")) as { contentHash: string; chunks: number };
    expect(manifest.chunks).toBe(first.knowledge.chunks.length);

    const second = await buildEngine(engineSettings(config));
    expect(second.index.rebuilt).toBe(false);
    const a = await second.answer({ question: "ty le dung chung tram bts cua xa cong hoa" });
    expect(a.answer).toContain("30%");

    // Officials add a knowledge file: the next start notices and rebuilds.
    await writeFile(
      path.join(knowledge, "them.md"),
      `---\nid: huong-dan-thu\ntitle: Hướng dẫn thử nghiệm về đèn đường năng lượng mặt trời\nkind: guide\nsource:\n  name: Tổ soạn thảo\n  url: null\n  date: 2026-01-01\nas_of: 2026-01-01\ntopics: [thu]\n---\n\n# Hướng dẫn\n\n## Đèn đường\n\n- Đèn đường năng lượng mặt trời của thôn được bảo dưỡng mỗi quý một lần.\n`,
    );
    const third = await buildEngine(engineSettings(config));
    expect(third.index.rebuilt).toBe(true);
    const b = await third.answer({ question: "den duong nang luong mat troi bao duong may lan" });
    expect(b.kind).toBe("extractive");
    expect(b.answer).toContain("mỗi quý một lần");
    expect(b.sources[0]?.id).toBe("huong-dan-thu");
  });

  it("should rebuild when the embedder changes and store its identity", async () => {
    const dataDir = path.join(work, "data-embed");
    const base = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir });
    expect((await buildEngine(engineSettings(base))).index.manifest.embedder).toBe("hashed-ngrams-v1-d768");
    const other = await buildEngine(engineSettings({ ...base, embeddings: { ...base.embeddings, EMBEDDINGS_DIMENSIONS: 256 } }));
    expect(other.index.rebuilt).toBe(true);
    expect(other.index.manifest).toMatchObject({ embedder: "hashed-ngrams-v1-d256", dimensions: 256 });
  });

  it("should refuse to start on an invalid knowledge file, naming it", async () => {
    const knowledge = path.join(work, "knowledge-bad");
    await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
    await writeFile(path.join(knowledge, "hong.md"), "# Không có front matter\n");
    const config = createConfig({ KNOWLEDGE_DIR: knowledge, DATA_DIR: path.join(work, "data-bad") });
    await expect(buildEngine(engineSettings(config))).rejects.toMatchObject({ code: "KNOWLEDGE_INVALID", message: expect.stringContaining("hong.md") });
  });
});

describe("OpenAI-compatible embeddings by configuration", () => {
  let server: Server;
  const requests: Array<{ model: string; inputs: number }> = [];
  beforeAll(async () => {
    // A loopback server that speaks the /v1/embeddings API with deterministic 16-d vectors.
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (req.url !== "/v1/embeddings") {
          res.writeHead(404).end();
          return;
        }
        const parsed = JSON.parse(body) as { model: string; input: string[] | string; encoding_format?: string };
        const inputs = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
        requests.push({ model: parsed.model, inputs: inputs.length });
        const data = inputs.map((text, index) => {
          const v = Array.from({ length: 16 }, (_, i) => (String(text).length % (i + 3)) + 1);
          // Like real servers, honour base64 encoding (the OpenAI client asks for it).
          const embedding = parsed.encoding_format === "base64" ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v;
          return { object: "embedding", index, embedding };
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data, model: parsed.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it("should build the index through the endpoint and embed questions with it", async () => {
    const port = (server.address() as AddressInfo).port;
    const config = createConfig({
      KNOWLEDGE_DIR,
      DATA_DIR: path.join(work, "data-remote"),
      EMBEDDINGS_PROVIDER: "openai-compatible",
      EMBEDDINGS_BASE_URL: `http://127.0.0.1:${port}/v1`,
      EMBEDDINGS_MODEL: "bge-m3-test",
    });
    const engine = await buildEngine(engineSettings(config));
    expect(engine.index.manifest).toMatchObject({ embedder: "openai-compatible:bge-m3-test", dimensions: 16 });
    const embedded = requests.reduce((s, r) => s + r.inputs, 0);
    expect(embedded).toBe(engine.knowledge.chunks.length);
    expect(requests.every((r) => r.model === "bge-m3-test")).toBe(true);

    // A curated answer needs no embedding; a question answered from the documents' passages is
    // embedded once, through the endpoint.
    let before = requests.length;
    const curated = await engine.answer({ question: "ty le dung chung tram bts cua xa cong hoa" });
    expect(curated.answer).toContain("30%");
    expect(requests.length).toBe(before);
    before = requests.length;
    const quoted = await engine.answer({ question: "Thông tư 03/2024/TT-BTTTT quy định băng tần 1800 MHz thế nào" });
    expect(quoted.kind).toBe("extractive");
    expect(requests.length).toBe(before + 1);
  });
});
