/**
 * Staff answers reach residents in the staff member's own words: the assistant writes a delivery
 * job (the words as written, kept encrypted in the job queue) for the channel the question came
 * from and waits for that channel's worker to report; the database keeps only the masked copy.
 * The worker here is the test itself, claiming jobs from the real store's queue as a channel does.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAssistant, type AnswerEngine, type Assistant, type DeliveryChannel } from "../../src/core/assistant.js";
import { readStaffAnswerJob, type StaffAnswerJob } from "../../src/core/dialogue/index.js";
import { MASK_LABEL } from "../../src/core/privacy/mask.js";
import { NOTICE_VERSION } from "../../src/core/privacy/notice.js";
import type { Channel, Store } from "../../src/core/store.js";
import { openSqliteStore } from "../../src/storage/sqlite-store.js";

const engine = { answer: () => Promise.reject(new Error("not used")), knowledge: {} } as unknown as AnswerEngine;
const ANSWER = "Dạ, bà con gọi chị Hoa 0912 345 678 ở bộ phận một cửa.";

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-delivery-"));
  store = openSqliteStore({ dataDir, secret: "delivery-test-secret-0123456789" });
});
afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const assistantWith = (delivery: Partial<Record<Channel, DeliveryChannel>>): Assistant => createAssistant({ engine, store, flows: [], delivery });

function queued(userId: string, channel: Channel = "zalo"): number {
  const { key } = store.ensureUser(channel, userId);
  store.setConsent(key, true, NOTICE_VERSION);
  return store.enqueue({ userKey: key, channel, question: "Ai hướng dẫn cài VNeID?", reason: "requested", deliveryAddress: userId }).id;
}

/** Plays a channel's worker once: claims its due jobs and reports each as `delivered`. */
function work(channel: Channel, delivered: boolean): StaffAnswerJob[] {
  const done: StaffAnswerJob[] = [];
  for (const job of store.jobs.claim(channel, { limit: 10, leaseMs: 60_000 })) {
    const staff = readStaffAnswerJob(job.payload);
    const item = staff ? store.getQueueItem(staff.queueId) : undefined;
    if (staff && item && item.delivered !== true) {
      store.markDelivered(staff.queueId, delivered);
      done.push(staff);
    }
    store.jobs.complete(job.id);
  }
  return done;
}

/** A worker that answers after `ms`, while `answerQueued` waits. */
const later = (ms: number, channel: Channel, delivered: boolean) => new Promise<StaffAnswerJob[]>((resolve) => setTimeout(() => resolve(work(channel, delivered)), ms));

describe("delivering staff answers through the job queue", () => {
  it("should hand the channel's worker the words as written, wait for its outcome, and store the masked copy", async () => {
    const assistant = assistantWith({ zalo: {} });
    const id = queued("u1");
    const [outcome, jobs] = await Promise.all([assistant.answerQueued(id, ANSWER, "can-bo"), later(60, "zalo", true)]);
    expect(outcome.delivered).toBe(true);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ queueId: id, address: "u1" });
    expect(jobs[0]?.text).toContain("Cán bộ xã trả lời câu hỏi của bà con");
    expect(jobs[0]?.text).toContain("gọi chị Hoa 0912 345 678 ở bộ phận một cửa.");
    expect(outcome.item.staffAnswer).toBe(`Dạ, bà con gọi chị Hoa ${MASK_LABEL.phone} ở bộ phận một cửa.`);
    expect(store.getQueueItem(id)).toMatchObject({ delivered: true, deliveryAddress: null });
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u1" })).toBe(0);
    expect(store.jobs.pending("zalo")).toBe(0);
  });

  it("should record an answer as not delivered when the worker could not send it, and write it again (masked) when the resident returns", async () => {
    const assistant = assistantWith({ zalo: {} });
    const id = queued("u2");
    const [outcome] = await Promise.all([assistant.answerQueued(id, ANSWER, "can-bo"), later(30, "zalo", false)]);
    expect(outcome.delivered).toBe(false);
    expect(store.getQueueItem(id)).toMatchObject({ delivered: false, deliveryAddress: "u2" });
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u2" })).toBe(1);
    const [again] = work("zalo", true);
    expect(again?.text).toContain(MASK_LABEL.phone);
    expect(store.getQueueItem(id)?.delivered).toBe(true);
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u2" })).toBe(0);
  });

  it("should not wait for a channel that collects answers later (web), and keep the job for it", async () => {
    const assistant = assistantWith({ web: { waitMs: 0 } });
    const id = queued("session-0123456789abcdef", "web");
    const started = performance.now();
    expect((await assistant.answerQueued(id, ANSWER, "can-bo")).delivered).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(store.jobs.pending("web")).toBe(1);
    expect(work("web", true)[0]?.text).toContain("0912 345 678");
    expect(store.getQueueItem(id)?.delivered).toBe(true);
  });

  it("should write no job for a channel without a worker, and record the answer as not delivered", async () => {
    const assistant = assistantWith({ telegram: {} });
    const id = queued("u4");
    expect((await assistant.answerQueued(id, ANSWER, "can-bo")).delivered).toBe(false);
    expect(store.jobs.pending("zalo")).toBe(0);
    expect(store.getQueueItem(id)?.delivered).toBe(false);
  });

  it("should record a worker that does not answer in time as not delivered, and a later success as delivered", async () => {
    const assistant = assistantWith({ zalo: { waitMs: 50 } });
    const id = queued("u5");
    expect((await assistant.answerQueued(id, ANSWER, "can-bo")).delivered).toBe(false);
    expect(store.getQueueItem(id)?.delivered).toBe(false);
    work("zalo", true);
    expect(store.getQueueItem(id)?.delivered).toBe(true);
  });

  it("should leave nothing to send once the resident deleted their data", async () => {
    const assistant = assistantWith({ zalo: { waitMs: 0 } });
    const id = queued("u3");
    await assistant.answerQueued(id, ANSWER, "can-bo");
    assistant.forget({ channel: "zalo", channelUserId: "u3" });
    expect(store.getQueueItem(id)).toBeUndefined();
    expect(work("zalo", true)).toEqual([]);
    expect(await assistant.deliverPending({ channel: "zalo", channelUserId: "u3" })).toBe(0);
  });
});
