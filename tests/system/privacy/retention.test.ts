/**
 * The retention purge runs at start and then on a schedule while the service is up, and honours
 * RETENTION_DAYS: question text, 👎 reasons and answered staff questions older than that go;
 * newer ones stay. The schedule is fired by an injected scheduler or by vitest's fake timers;
 * nothing here waits for real time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConfig } from "../../../src/config.js";
import type { Resident } from "../../../src/core/assistant.js";
import { createLogger } from "../../../src/logger.js";
import { RETENTION_PURGE_INTERVAL_MS, startService, type Service, type ServiceOptions } from "../../../src/app/service.js";
import { openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { SENSITIVE } from "./corpus.js";

const DAY = 24 * 60 * 60 * 1000;
const SECRET = "retention-test-secret-0123456789";

let dataDir: string;
let service: Service | null = null;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-retention-"));
});
afterEach(async () => {
  await service?.stop();
  service = null;
  vi.useRealTimers();
  await rm(dataDir, { recursive: true, force: true });
});

function start(retentionDays: number, options: ServiceOptions = {}): Promise<Service> {
  const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", RETENTION_DAYS: String(retentionDays), USER_KEY_SECRET: SECRET });
  return startService(config, createLogger("silent"), options);
}

/**
 * Writes, through a second connection whose clock reads `at`, a consented resident with a
 * question, a 👎 with a reason and an answered staff question; returns the ids.
 */
function writeAt(at: Date, who: string): { messageId: number; queueId: number; key: string } {
  const store = openSqliteStore({ dataDir, secret: SECRET, now: () => at });
  try {
    const user = store.ensureUser("telegram", who);
    store.setConsent(user.key, true, "test");
    const text = (SENSITIVE[0] as (typeof SENSITIVE)[number]).text;
    const message = store.recordMessage({ userKey: user.key, channel: "telegram", question: text, kind: "extractive", confidence: 0.9, commune: null, sources: [], latencyMs: 1 });
    store.recordFeedback({ messageId: message.id, userKey: user.key, rating: "down", reason: "chưa đúng ý" });
    const item = store.enqueue({ userKey: user.key, channel: "telegram", question: text, reason: "requested" });
    store.answerQueueItem(item.id, "Dạ, xã đã gọi lại.", "can-bo");
    return { messageId: message.id, queueId: item.id, key: user.key };
  } finally {
    store.close();
  }
}

/** What is left of what `writeAt` wrote. */
function left(svc: Service, ids: { messageId: number; queueId: number; key: string }) {
  const data = svc.store.exportUser(ids.key);
  return {
    question: svc.store.getMessage(ids.messageId)?.question ?? null,
    reason: data?.feedback[0]?.reason ?? null,
    queued: svc.store.getQueueItem(ids.queueId) !== undefined,
  };
}

describe("the retention purge schedule", () => {
  it("should schedule the purge every day and purge on each run what is older than RETENTION_DAYS", async () => {
    let nowMs = Date.now();
    const scheduled: Array<{ task: () => void; intervalMs: number; stopped: boolean }> = [];
    service = await start(30, {
      clock: () => nowMs,
      schedule: (task, intervalMs) => {
        const entry = { task, intervalMs, stopped: false };
        scheduled.push(entry);
        return () => {
          entry.stopped = true;
        };
      },
    });
    expect(scheduled).toHaveLength(1);
    const job = scheduled[0] as (typeof scheduled)[number];
    expect(job.intervalMs).toBe(RETENTION_PURGE_INTERVAL_MS);
    expect(RETENTION_PURGE_INTERVAL_MS).toBe(DAY);

    const ids = writeAt(new Date(nowMs), "1");
    const resident: Resident = { channel: "telegram", channelUserId: "1" };
    expect(left(service, ids)).toEqual({ question: expect.stringContaining("[số điện thoại đã ẩn]"), reason: "chưa đúng ý", queued: true });

    // 29 days later: within RETENTION_DAYS = 30, nothing goes.
    nowMs += 29 * DAY;
    job.task();
    expect(left(service, ids)).toEqual({ question: expect.any(String), reason: "chưa đúng ý", queued: true });

    // 31 days after writing: the texts are blanked and the answered question deleted.
    nowMs += 2 * DAY;
    job.task();
    expect(left(service, ids)).toEqual({ question: null, reason: null, queued: false });
    // The rows that hold no text stay (statistics), and so does the resident's choice.
    expect(service.store.getMessage(ids.messageId)).toBeDefined();
    expect(service.assistant.myData(resident).consent?.granted).toBe(true);

    await service.stop();
    expect(job.stopped).toBe(true);
    service = null;
  });

  it("should fire on its own every RETENTION_PURGE_INTERVAL_MS (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    service = await start(7);
    const now = Date.now();
    const old = writeAt(new Date(now - 8 * DAY), "old-1");
    const recent = writeAt(new Date(now - 6 * DAY), "recent-1");

    vi.advanceTimersByTime(RETENTION_PURGE_INTERVAL_MS - 1);
    expect(left(service, old).question).not.toBeNull();

    vi.advanceTimersByTime(1);
    expect(left(service, old)).toEqual({ question: null, reason: null, queued: false });
    expect(left(service, recent)).toEqual({ question: expect.any(String), reason: "chưa đúng ý", queued: true });

    // And again the next day, for what aged meanwhile.
    const older = writeAt(new Date(now - 9 * DAY), "old-2");
    vi.advanceTimersByTime(RETENTION_PURGE_INTERVAL_MS);
    expect(left(service, older)).toEqual({ question: null, reason: null, queued: false });
  });

  it.each([
    [7, { old: true, recent: false }],
    [30, { old: false, recent: false }],
  ])("should purge at start what is older than RETENTION_DAYS=%i", async (days, purged) => {
    const now = Date.now();
    const old = writeAt(new Date(now - 10 * DAY), "a");
    const recent = writeAt(new Date(now - 5 * DAY), "b");
    service = await start(days);
    expect(left(service, old).question === null).toBe(purged.old);
    expect(left(service, old).queued).toBe(!purged.old);
    expect(left(service, recent).question === null).toBe(purged.recent);
  });
});
