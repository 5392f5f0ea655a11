/**
 * A resident's right to see their data: the store exports exactly the rows that deletion would
 * remove, the assistant summarises them (most recent first, capped), and the text says what is
 * kept and what is not.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAssistant, MY_DATA_LIMITS, type AnswerEngine, type Assistant, type Resident } from "../../../src/core/assistant.js";
import { myDataText, vietnamTime } from "../../../src/core/privacy/notice.js";
import type { Store } from "../../../src/core/store.js";
import { openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { SENSITIVE, leakedNumbers } from "./corpus.js";

let dataDir: string;
let store: Store;
let assistant: Assistant;
let clock = Date.parse("2026-03-01T01:00:00Z");

/** Only the commune names are read by myData; answering is not exercised here. */
const engine = {
  answer: () => Promise.reject(new Error("not used")),
  knowledge: { communes: { get: (id: string) => (id === "phu-tan" ? { id, name: "Phú Tân" } : undefined) } },
} as unknown as AnswerEngine;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-mydata-"));
  store = openSqliteStore({ dataDir, secret: "my-data-test-secret-0123456789", now: () => new Date((clock += 60_000)) });
  assistant = createAssistant({ engine, store, flows: [] });
});
afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const ME: Resident = { channel: "zalo", channelUserId: "me" };
const OTHER: Resident = { channel: "zalo", channelUserId: "other" };
const TEXT = { retentionDays: 180, deleteHow: "gõ «xoa du lieu»", channelName: "Zalo" };

/** A resident who consented, chose a commune, asked `n` corpus questions, rated, and asked staff. */
function activity(r: Resident, n: number): string {
  const { key } = store.ensureUser(r.channel, r.channelUserId);
  store.setConsent(key, false, "v1");
  store.setConsent(key, true, "v1");
  store.setCommune(key, "phu-tan");
  for (const s of SENSITIVE.slice(0, n)) {
    const m = store.recordMessage({ userKey: key, channel: r.channel, question: s.text, kind: "extractive", confidence: 0.5, commune: null, sources: ["doc"], latencyMs: 3 });
    store.recordFeedback({ messageId: m.id, userKey: key, rating: m.id % 2 ? "up" : "down", reason: m.id % 2 ? null : `lý do: ${s.text}` });
    const q = store.enqueue({ userKey: key, channel: r.channel, question: s.text, reason: "requested", messageId: m.id, deliveryAddress: r.channelUserId });
    if (m.id % 3 === 0) store.answerQueueItem(q.id, `trả lời: ${s.text}`, "can-bo");
  }
  store.setState(`${key}:zalo`, { awaiting: null });
  store.setState(`${key}:flow`, { flow: "x" });
  return key;
}

describe("store.exportUser", () => {
  it("should return exactly the rows deleteUser removes, most recent first, and no one else's", () => {
    const key = activity(ME, 8);
    activity(OTHER, 3);
    const data = store.exportUser(key);
    expect(data).toBeDefined();
    const counts = store.deleteUser(key);
    expect({
      users: 1,
      consents: data!.consents.length,
      messages: data!.messages.length,
      feedback: data!.feedback.length,
      queue: data!.queue.length,
      state: data!.state.length,
    }).toEqual(counts);
    expect(data!.messages.every((m) => m.userKey === key)).toBe(true);
    expect(data!.consents[0]).toMatchObject({ granted: true });
    expect(data!.messages.map((m) => m.id)).toEqual([...data!.messages.map((m) => m.id)].sort((a, b) => b - a));
    expect(data!.state.map((s) => s.name).sort()).toEqual(["flow", "zalo"]);
    expect(store.exportUser(key)).toBeUndefined();
  });

  it("should export only stored (masked) text", () => {
    const key = activity(ME, SENSITIVE.length);
    expect(leakedNumbers(JSON.stringify(store.exportUser(key)))).toEqual([]);
  });
});

describe("assistant.myData and its text", () => {
  it("should summarise with totals, caps and dates, most recent first", () => {
    activity(ME, 14);
    const d = assistant.myData(ME);
    expect(d).toMatchObject({ known: true, consentChoices: 2, commune: { id: "phu-tan", name: "Phú Tân" }, chatIdKept: true, flowInProgress: true });
    expect(d.consent).toMatchObject({ granted: true, noticeVersion: "v1" });
    expect(d.messages).toMatchObject({ total: 14, withText: 14 });
    expect(d.messages.recent).toHaveLength(MY_DATA_LIMITS.questions);
    expect(d.messages.recent[0]?.question).toContain((SENSITIVE[13] as (typeof SENSITIVE)[number]).text.slice(0, 10));
    expect(d.feedback.up + d.feedback.down).toBe(14);
    expect(d.feedback.reasons.length).toBeLessThanOrEqual(MY_DATA_LIMITS.reasons);
    expect(d.queue.total).toBe(14);
    expect(d.queue.recent).toHaveLength(MY_DATA_LIMITS.queue);

    const text = myDataText(d, TEXT);
    expect(text).toContain("đã ghi lại 14 câu hỏi");
    expect(text).toContain("Xã đã chọn: Phú Tân.");
    expect(text).toContain("đã chọn 2 lần");
    expect(text).toContain("Phần hỏi từng bước đang làm dở");
    expect(text).toContain("Mã trò chuyện Zalo chỉ được giữ tạm");
    expect(text).toContain("180 ngày");
    expect(text).toContain(vietnamTime(d.messages.recent[0]!.at));
    expect(leakedNumbers(text)).toEqual([]);
  });

  it("should say nothing is stored for an unknown resident, and create nothing by looking", () => {
    const d = assistant.myData(ME);
    expect(d.known).toBe(false);
    expect(myDataText(d, TEXT)).toContain("Trợ lý chưa lưu gì về bà con.");
    expect(store.getUser(store.userKey("zalo", "me"))).toBeUndefined();
  });

  it("should clip a long stored text and show the time in Vietnam", () => {
    const { key } = store.ensureUser("zalo", "me");
    store.setConsent(key, true, "v1");
    store.recordMessage({ userKey: key, channel: "zalo", question: "dài ".repeat(400), kind: "faq", confidence: 1, commune: null, sources: [], latencyMs: 1 });
    const text = myDataText(assistant.myData(ME), TEXT);
    const line = text.split("\n").find((l) => l.includes("«dài"));
    expect(line).toBeDefined();
    expect(line!.length).toBeLessThan(340);
    expect(line).toContain("…»");
    expect(vietnamTime("2026-03-01T20:30:00.000Z")).toBe("02/03/2026 03:30");
  });
});
