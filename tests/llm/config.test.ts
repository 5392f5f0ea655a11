import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import type { Engine } from "../../src/app/engine.js";
import { testEngine } from "../helpers/engine.js";

describe("language-model settings", () => {
  it("should default to no language model, with documented limits", () => {
    expect(createConfig({}).llm).toMatchObject({
      LLM_PROVIDER: "none",
      LLM_TIMEOUT_MS: 20_000,
      LLM_TEMPERATURE: 0.2,
      LLM_MAX_CONCURRENCY: 2,
      LLM_MAX_QUEUE: 8,
      OLLAMA_BASE_URL: "http://127.0.0.1:11434",
      OLLAMA_NUM_CTX: 8192,
      PROMPTS_DIR: "./prompts",
    });
  });

  it("should require the base URL and model for an OpenAI-compatible API, naming keys but not values", () => {
    try {
      createConfig({ LLM_PROVIDER: "openai-compatible", LLM_API_KEY: "sk-secret-value-123" });
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe("CONFIG_INVALID");
      expect((err as Error).message).toMatch(/LLM_BASE_URL/);
      expect((err as Error).message).toMatch(/LLM_MODEL/);
      expect((err as Error).message).not.toContain("sk-secret-value-123");
    }
    const c = createConfig({ LLM_PROVIDER: "openai-compatible", LLM_BASE_URL: "https://api.example.com/v1", LLM_MODEL: "gpt-4o-mini", LLM_TEMPERATURE: "0" });
    expect(c.llm).toMatchObject({ LLM_MODEL: "gpt-4o-mini", LLM_TEMPERATURE: 0 });
  });

  it("should require a model for Ollama (chat and embeddings)", () => {
    expect(() => createConfig({ LLM_PROVIDER: "ollama" })).toThrow(/LLM_MODEL: required when LLM_PROVIDER=ollama/);
    expect(createConfig({ LLM_PROVIDER: "ollama", LLM_MODEL: "qwen2.5:7b", OLLAMA_BASE_URL: "http://10.0.0.5:11434" }).llm.OLLAMA_BASE_URL).toBe("http://10.0.0.5:11434");
    expect(() => createConfig({ EMBEDDINGS_PROVIDER: "ollama" })).toThrow(/EMBEDDINGS_MODEL: required when EMBEDDINGS_PROVIDER=ollama/);
  });

  it.each([
    ["LLM_PROVIDER", "gpt"],
    ["LLM_TIMEOUT_MS", "10"],
    ["LLM_TEMPERATURE", "3"],
    ["LLM_MAX_CONCURRENCY", "0"],
    ["LLM_BASE_URL", "not a url"],
  ])("should reject %s=%s", (key, value) => {
    expect(() => createConfig({ [key]: value })).toThrow(new RegExp(key));
  });
});

describe("LLM_PROVIDER=none", () => {
  let engine: Engine;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engine, cleanup } = await testEngine());
  });
  afterAll(async () => cleanup());

  it("should build no language model and answer exactly as the default answerer", async () => {
    expect(engine.llm).toBeNull();
    for (const question of ["xa cong hoa ke hoach toc do bang rong di dong bao nhieu", "ho ngheo duoc ho tro dien thoai bao nhieu tien", "kq xsmb hom nay", "cach trong lua nuoc"]) {
      const r = await engine.answer({ question });
      expect(r).toEqual(await engine.answerDefault({ question }));
      expect(r.diagnostics.llm).toBeUndefined();
    }
  });
});
