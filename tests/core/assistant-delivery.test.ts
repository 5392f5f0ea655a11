/**
 * Staff answers reach residents in the staff member's own words: a phone number staff give is
 * delivered as written, once, also when the first try failed and the answer goes out when the
 * resident writes again; the database keeps only the masked copy.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAssistant, type AnswerEngine, type Assistant } from "../../src/core/assistant.js";
import { MASK_LABEL } from "../../src/core/privacy/mask.js";
import { NOTICE_VERSION } from "../../src/core/privacy/notice.js";
import type { Store } from "../../src/core/store.js";
import { openSqliteStore } from "../../src/storage/sqlite-store.js";

const engine = { answer: () => Promise.reject(new Error("not used")), knowledge: {} } as unknown as AnswerEngine;
const ANSWER = "Dạ, bà con gọi chị Hoa 0912 345 678 ở bộ phận một cửa.";

let dataDir: string;
let store: Store;
let assistant: Assistant;
/** What the channel was asked to send, and whether it could. */
let calls: Array<{ address: string; text: string }>;
let reachable: boolean;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-delivery-"));
  store = openSqliteStore({ dataDir, secret: "delivery-test-secret-0123456789" });
  assistant = createAssistant({ engine, store, flows: [] });
  calls = [];
  reachable = true;
  assistant.registerDeliverer("zalo", async (address, text) => {
    calls.push({ address, text });
    return reachable;
  });
});
afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

function queued(userId: string): number {
  const { key } = store.ensureUser("zalo", userId);
  store.setConsent(key, true, NOTICE_VERSION);
  return store.enqueue({ userKey: key, channel: "zalo", question: "Ai hướng dẫn cài VNeID?", reason: "requested", deliveryAddress: userId }).id;
}

describe("delivering staff answers", () => {
  it("should send the number as written, once, and store the masked copy", async () => {
    const id = queued("u1");
    const { delivered, item } = await assistant.answerQueued(id, ANSWER, "can-bo");
    expect(delivered).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.address).toBe("u1");
    expect(calls[0]?.text).toContain("gọi chị Hoa 0912 345 678 ở bộ phận một cửa.");
    expect(item.staffAnswer).toBe(`Dạ, bà con gọi chị Hoa ${MASK_LABEL.phone} ở bộ phận một cửa.`);
    expect(store.getQueueItem(id)?.staffAnswer).not.toContain("0912");
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u1" })).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it("should send the words as written when the resident writes again after a failed delivery, then never again", async () => {
    const id = queued("u2");
    reachable = false;
    expect((await assistant.answerQueued(id, ANSWER, "can-bo")).delivered).toBe(false);
    reachable = true;
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u2" })).toBe(1);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.text).toContain("0912 345 678");
    expect(store.getQueueItem(id)?.delivered).toBe(true);
    expect(store.getQueueItem(id)?.staffAnswer).toContain(MASK_LABEL.phone);
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u2" })).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it("should forget an unsent answer with the resident's data", async () => {
    const id = queued("u3");
    reachable = false;
    await assistant.answerQueued(id, ANSWER, "can-bo");
    assistant.forget({ channel: "zalo", channelUserId: "u3" });
    reachable = true;
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u3" })).toBe(0);
    expect(calls).toHaveLength(1);
  });
});
