import mammoth from "mammoth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import {
  broadcastReadAloudText,
  broadcastToDocx,
  broadcastToMarkdown,
  broadcastToText,
  createBroadcaster,
  DEFAULT_WORDS_PER_MINUTE,
  type BroadcastScript,
} from "../../src/core/broadcast/index.js";
import { AppError } from "../../src/core/errors.js";
import { testEngine } from "../helpers/engine.js";

let script: BroadcastScript;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await testEngine();
  cleanup = t.cleanup;
  const outcome = await createBroadcaster({ engine: t.engine }).draft({ topic: "tắt sóng 2G", minutes: 3 });
  if (!outcome.ok) throw new Error(outcome.message);
  script = outcome.script;
});
afterAll(async () => cleanup());

describe("text export", () => {
  it("should put the read-aloud part first and the sources after a clearly marked KHÔNG ĐỌC block", () => {
    const text = broadcastToText(script);
    const cut = text.indexOf("KHÔNG ĐỌC");
    expect(cut).toBeGreaterThan(0);
    const [spoken, notRead] = [text.slice(0, cut), text.slice(cut)];
    expect(spoken.startsWith(script.title)).toBe(true);
    for (const part of [script.opening, ...script.body, script.callToAction, script.closing]) expect(spoken).toContain(part);
    expect(spoken).toBe(`${broadcastReadAloudText(script)}\n${"=".repeat(60)}\n`);
    expect(notRead).toContain("[1] ");
    for (const s of script.sources) {
      expect(notRead).toContain(`[${s.n}] ${s.title}`);
      expect(notRead).toContain(`Cập nhật: ${s.asOf}`);
      if (s.url) expect(notRead).toContain(s.url);
      expect(spoken).not.toContain(s.url ?? "\u0000");
    }
  });
});

describe("Markdown export", () => {
  it("should have the title as heading, the paragraphs, and a KHÔNG ĐỌC section with the sources", () => {
    const md = broadcastToMarkdown(script);
    expect(md.startsWith(`# ${script.title}\n`)).toBe(true);
    expect(md).toContain(script.opening);
    expect(md).toMatch(/\n## KHÔNG ĐỌC/);
    expect(md.indexOf("## KHÔNG ĐỌC")).toBeGreaterThan(md.indexOf(script.closing));
    expect(md).toContain(`1. **${script.sources[0]?.title}`);
  });
});

describe(".docx export", () => {
  it("should write a Word file that opens back with the title, the opening and the sources", async () => {
    const buffer = await broadcastToDocx(script);
    expect(buffer.subarray(0, 2).toString()).toBe("PK");
    const { value } = await mammoth.extractRawText({ buffer });
    expect(value).toContain(script.title);
    expect(value).toContain(script.opening);
    expect(value).toContain(script.callToAction);
    expect(value).toContain("KHÔNG ĐỌC");
    const first = script.sources[0];
    expect(value).toContain(`[1] ${first?.title} › ${first?.section}`);
    expect(value.indexOf("KHÔNG ĐỌC")).toBeGreaterThan(value.indexOf(script.closing));
  });
});

describe("config keys", () => {
  it("should default the reading rate and the staff list", () => {
    const config = createConfig({});
    expect(config.broadcast.BROADCAST_WORDS_PER_MINUTE).toBe(DEFAULT_WORDS_PER_MINUTE);
    expect(config.telegram.STAFF_TELEGRAM_IDS).toEqual([]);
  });

  it("should read a reading rate and comma-separated staff ids", () => {
    const config = createConfig({ BROADCAST_WORDS_PER_MINUTE: "150", STAFF_TELEGRAM_IDS: " 123456789, 42 ,," });
    expect(config.broadcast.BROADCAST_WORDS_PER_MINUTE).toBe(150);
    expect(config.telegram.STAFF_TELEGRAM_IDS).toEqual([123456789, 42]);
  });

  it.each([
    ["BROADCAST_WORDS_PER_MINUTE", "nhanh"],
    ["BROADCAST_WORDS_PER_MINUTE", "20"],
    ["STAFF_TELEGRAM_IDS", "12,abc-secret"],
  ])("should refuse %s=%s, naming the key but not the value", (key, value) => {
    let error: unknown;
    try {
      createConfig({ [key]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("CONFIG_INVALID");
    expect((error as AppError).message).toContain(key);
    expect((error as AppError).message).not.toContain(value);
  });
});
