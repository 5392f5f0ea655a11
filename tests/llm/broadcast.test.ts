import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countWords } from "../../src/core/broadcast/compose.js";
import { createBroadcaster, type BroadcastScript, type Broadcaster } from "../../src/core/broadcast/index.js";
import { MODEL_DRAFT_NOTE } from "../../src/core/broadcast/messages.js";
import { toSpoken } from "../../src/core/broadcast/spoken.js";
import type { Engine } from "../../src/app/engine.js";
import { knowledgeWithout, FAQ_FILES_BUT_SUBSIDY, REPO_ROOT, testEngine } from "../helpers/engine.js";
import { contextBlocks, lastUser, startFakeOpenAI, type ChatReply, type ChatRequestBody, type FakeLlm } from "../helpers/fake-llm.js";

let fake: FakeLlm;
let engine: Engine;
let cleanup: () => Promise<void>;
// Without the plans\' curated entries, plan questions are answered from passages: what the model rewrites.
let knowledge: { dir: string; cleanup: () => Promise<void> };
let withModel: Broadcaster;
let composerOnly: Broadcaster;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  knowledge = await knowledgeWithout(FAQ_FILES_BUT_SUBSIDY);
  ({ engine, cleanup } = await testEngine({
    KNOWLEDGE_DIR: knowledge.dir,
    LLM_PROVIDER: "openai-compatible",
    LLM_BASE_URL: `${fake.url}/v1`,
    LLM_MODEL: "fake-model",
    PROMPTS_DIR: path.join(REPO_ROOT, "prompts"),
  }));
  withModel = createBroadcaster({ engine, llm: () => engine.llm });
  composerOnly = createBroadcaster({ engine });
});
afterAll(async () => {
  await fake.close();
  await cleanup();
  await knowledge.cleanup();
});
beforeEach(() => fake.reset());

/** A body made of the sources' own sentences, each cited, about as long as the prompt asks. */
function faithfulBody(body: ChatRequestBody): ChatReply {
  const budget = Number(/khoảng (\d+) tiếng/.exec(lastUser(body))?.[1]);
  const paragraphs: string[] = [];
  let words = 0;
  for (const [n, block] of contextBlocks(body)) {
    const quotes = block.split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2));
    for (const q of quotes) {
      if (words >= budget * 0.9) break;
      paragraphs.push(`${q} [${n}]`);
      words += countWords(toSpoken(q));
    }
  }
  return { content: JSON.stringify({ body: paragraphs, cited: [] }) };
}

const firstSource = (body: ChatRequestBody) => [...contextBlocks(body).keys()][0] ?? 1;

async function draft(b: Broadcaster, topic: string, minutes = 1): Promise<BroadcastScript> {
  const outcome = await b.draft({ topic, minutes });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.script;
}

describe("broadcast drafting with a language model", () => {
  it("should use a faithful body: spelled for reading, no markers, the composer's frame and sources kept", async () => {
    fake.script(faithfulBody);
    const script = await draft(withModel, "tắt sóng 2G");
    const composed = await draft(composerOnly, "tắt sóng 2G");
    expect(script.llm).toMatchObject({ used: true, reason: null, model: "openai-compatible:fake-model", attempts: 1 });
    expect(script.body.join(" ")).not.toMatch(/\d|\[/);
    expect(script.opening).toBe(composed.opening);
    expect(script.callToAction).toBe(composed.callToAction);
    expect(script.closing).toBe(composed.closing);
    expect(script.sources).toEqual(composed.sources);
    expect(script.notes).toContain(MODEL_DRAFT_NOTE);
    expect(composed.llm).toBeUndefined();
    // The prompt carries the sources as numbered data and the commune.
    const sent = lastUser(fake.chats()[0] as ChatRequestBody);
    expect(sent).toMatch(/<nguon>\n\[\d+\] /);
    // The commune's partly verified new name is for the staff's notes, not offered as material.
    expect(sent).not.toContain("mới được xác minh một phần");
    expect(sent).toMatch(/cho xã \p{Lu}/u);
  });

  it("should keep the composer's body when the model adds a date the sources do not have", async () => {
    const wrong = (body: ChatRequestBody): ChatReply => ({ content: JSON.stringify({ body: [`Từ ngày 1/1/2030, mọi máy 2G sẽ được đổi miễn phí [${firstSource(body)}].`], cited: [] }) });
    fake.script(wrong, wrong);
    const script = await draft(withModel, "tắt sóng 2G");
    const composed = await draft(composerOnly, "tắt sóng 2G");
    expect(script.body).toEqual(composed.body);
    expect(script.llm).toMatchObject({ used: false, reason: expect.stringMatching(/^unfaithful:date 1\/1\/2030/), attempts: 2 });
    expect(script.notes?.at(-1)).toContain("unfaithful:date 1/1/2030");
    expect(lastUser(fake.chats()[1] as ChatRequestBody)).toContain("«1/1/2030»");
  });

  it("should keep the composer's body on a timeout or a rate limit", async () => {
    fake.script({ status: 429 });
    const script = await draft(withModel, "tắt sóng 2G");
    expect(script.body).toEqual((await draft(composerOnly, "tắt sóng 2G")).body);
    expect(script.llm).toMatchObject({ used: false, reason: "rate_limited" });
  });

  it("should ask again when the body is far too short, then fall back", async () => {
    const short = (body: ChatRequestBody): ChatReply => ({ content: JSON.stringify({ body: [`Bà con lưu ý [${firstSource(body)}].`], cited: [] }) });
    fake.script(short, short);
    const script = await draft(withModel, "tắt sóng 2G", 3);
    expect(script.llm?.reason).toMatch(/^length:\d+\/\d+$/);
  });

  it("should plan a free topic without calling the model, then draft with it once", async () => {
    fake.script(faithfulBody);
    const script = await draft(withModel, "mua hàng trực tuyến an toàn");
    expect(fake.chats()).toHaveLength(1);
    expect(lastUser(fake.chats()[0] as ChatRequestBody)).toContain("<nguon>");
    expect(script.llm?.used).toBe(true);
  });
});
