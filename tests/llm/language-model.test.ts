import { ChatOpenAICompletions } from "@langchain/openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod/v4";
import { classifyLlmError, createLanguageModel } from "../../src/llm/language-model.js";
import { startFakeOpenAI, type FakeLlm } from "../helpers/fake-llm.js";

const Schema = z.object({ ok: z.boolean() });
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => fake.close());
beforeEach(() => fake.reset());

const model = (options: { timeoutMs?: number; maxConcurrency?: number; maxQueue?: number } = {}) =>
  createLanguageModel(new ChatOpenAICompletions({ model: "m", apiKey: "k", configuration: { baseURL: `${fake.url}/v1` }, maxRetries: 0 }), {
    id: "openai-compatible:m",
    timeoutMs: options.timeoutMs ?? 2000,
    maxConcurrency: options.maxConcurrency ?? 1,
    maxQueue: options.maxQueue ?? 0,
  });
const ask = [{ role: "user" as const, content: "?" }];

describe("createLanguageModel", () => {
  it("should parse the reply with the schema", async () => {
    fake.script({ content: '{"ok": true}' });
    expect(await model().completeJson(ask, Schema)).toMatchObject({ ok: true, value: { ok: true }, text: '{"ok": true}' });
  });

  it("should refuse at once ('busy') when every slot is taken and the waiting line is full", async () => {
    fake.script({ content: '{"ok": true}', delayMs: 300 });
    const m = model({ maxConcurrency: 1, maxQueue: 0 });
    const first = m.completeJson(ask, Schema);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await m.completeJson(ask, Schema);
    expect(second).toMatchObject({ ok: false, reason: "busy" });
    expect(second.ms).toBeLessThan(100);
    expect((await first).ok).toBe(true);
    expect(fake.chats()).toHaveLength(1);
  });

  it("should count waiting for a slot in the deadline", async () => {
    fake.script({ content: '{"ok": true}', delayMs: 600 }, { content: '{"ok": true}' });
    const m = model({ maxConcurrency: 1, maxQueue: 5, timeoutMs: 400 });
    const [a, b] = await Promise.all([m.completeJson(ask, Schema), m.completeJson(ask, Schema)]);
    expect(a).toMatchObject({ ok: false, reason: "timeout" });
    expect(b).toMatchObject({ ok: false, reason: "timeout" });
    expect(fake.chats()).toHaveLength(1);
  });

  it("should report an unreachable server as such", async () => {
    const m = createLanguageModel(new ChatOpenAICompletions({ model: "m", apiKey: "k", configuration: { baseURL: "http://127.0.0.1:9/v1" }, maxRetries: 0 }), {
      id: "x",
      timeoutMs: 2000,
      maxConcurrency: 1,
      maxQueue: 1,
    });
    expect(await m.completeJson(ask, Schema)).toMatchObject({ ok: false, reason: "unreachable" });
  });

  it.each([
    [{ status: 429 }, "rate_limited"],
    [{ status_code: 503 }, "server_error"],
    [{ status: 401 }, "rejected"],
    [{ name: "TimeoutError" }, "timeout"],
    [new TypeError("fetch failed"), "unreachable"],
  ])("should classify %j as %s", (err, reason) => {
    expect(classifyLlmError(err)).toBe(reason);
  });
});
