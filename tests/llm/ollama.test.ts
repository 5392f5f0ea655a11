import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/app/engine.js";
import { knowledgeWithout, FAQ_FILES_BUT_SUBSIDY, REPO_ROOT, testEngine } from "../helpers/engine.js";
import { answerReply, blockWith, startFakeOllama, type ChatRequestBody, type FakeLlm } from "../helpers/fake-llm.js";

const SPEED = "xa cong hoa ke hoach toc do bang rong di dong bao nhieu";

let fake: FakeLlm;
let engine: Engine;
let cleanup: () => Promise<void>;
// Without the plans\' curated entries, plan questions are answered from passages: what the model rewrites.
let knowledge: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  fake = await startFakeOllama();
  knowledge = await knowledgeWithout(FAQ_FILES_BUT_SUBSIDY);
  ({ engine, cleanup } = await testEngine({
    KNOWLEDGE_DIR: knowledge.dir,
    LLM_PROVIDER: "ollama",
    OLLAMA_BASE_URL: fake.url,
    LLM_MODEL: "qwen2.5:7b",
    LLM_TIMEOUT_MS: "800",
    LLM_TEMPERATURE: "0.1",
    PROMPTS_DIR: path.join(REPO_ROOT, "prompts"),
  }));
});
afterAll(async () => {
  await fake.close();
  await cleanup();
  await knowledge.cleanup();
});
beforeEach(() => fake.reset());

const faithful = (body: ChatRequestBody) => {
  const n = blockWith(body, "70Mb/s");
  return answerReply(`Theo kế hoạch, tốc độ băng rộng di động đạt 70Mb/s [${n}].`, [n]);
};

describe("the generative answerer on Ollama (/api/chat)", () => {
  it("should use a faithful answer streamed by Ollama", async () => {
    fake.script(faithful);
    const r = await engine.answer({ question: SPEED });
    expect(r.kind).toBe("generative");
    expect(r.answer).toContain("70Mb/s [1]");
    expect(r.diagnostics.llm).toMatchObject({ used: true, model: "ollama:qwen2.5:7b" });
    const [sent] = fake.chats();
    expect(sent?.model).toBe("qwen2.5:7b");
    expect(sent?.options).toMatchObject({ temperature: 0.1, num_ctx: 8192 });
    expect(sent?.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(sent?.messages[0]?.content).toContain("xã Cộng Hòa");
    expect(sent?.messages[1]?.content).toContain("<tai_lieu>\n[1] ");
  });

  it("should retry an unfaithful answer, then fall back", async () => {
    const wrong = (body: ChatRequestBody) => answerReply(`Tốc độ đạt 100Mb/s [${blockWith(body, "70Mb/s")}].`, [1]);
    fake.script(wrong, wrong);
    const r = await engine.answer({ question: SPEED });
    expect(r.kind).toBe("extractive");
    expect(r.diagnostics.llm).toMatchObject({ used: false, reason: "unfaithful:number 100", attempts: 2 });
  });

  it.each([
    [{ status: 429 }, "rate_limited"],
    [{ status: 500 }, "server_error"],
    [{ status: 404, body: { error: "model 'qwen2.5:7b' not found" } }, "rejected"],
    [{ content: "{}", delayMs: 5000 }, "timeout"],
  ] as const)("should fall back on %j (%s) and keep answering", async (reply, reason) => {
    fake.script(reply, faithful);
    const r = await engine.answer({ question: SPEED });
    expect(r.kind).toBe("extractive");
    expect(r.diagnostics.llm).toMatchObject({ used: false, reason, attempts: 1 });
    expect((await engine.answer({ question: SPEED })).kind).toBe("generative");
  });

  it("should fall back on malformed replies", async () => {
    fake.script({ content: "không phải JSON" }, { content: "[1, 2, 3]" });
    const r = await engine.answer({ question: SPEED });
    expect(r.diagnostics.llm).toMatchObject({ used: false, reason: "malformed", attempts: 2 });
  });
});
