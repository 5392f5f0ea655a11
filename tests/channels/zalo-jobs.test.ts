/**
 * The Zalo channel's workers on the durable job queue, end to end: the real service on loopback,
 * signed webhook events, a loopback server playing the Zalo API. Sends Zalo did not take are
 * retried later with backoff and delivered once; a job is given up after its attempts with a log
 * line; a resident's later messages wait for an earlier one being retried; a new start sends
 * only what a previous run had not handed to Zalo.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { startService, type Service } from "../../src/app/service.js";
import { openSqliteStore } from "../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";
import { APP_ID, OA_SECRET, postSignedZalo, startFakeZalo, zaloTextEvent, type FakeZalo } from "../helpers/fake-zalo.js";
import { memoryLogger } from "../system/privacy/helpers.js";

const MENU = /^Bà con gõ số để chọn chủ đề:/;
const SKILLS = /^Kỹ năng số: bà con gõ số/;
/** One failed send as the client sees it after its own retries (1 + 3 tries). */
const UNAVAILABLE = Array.from({ length: 4 }, () => ({ status: 503, body: {} }));

let zalo: FakeZalo;
const dirs: string[] = [];
let nextMsg = 0;

beforeAll(async () => {
  zalo = await startFakeZalo({ access: ["jobs-access"] });
});
afterAll(async () => {
  await zalo?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(dataDir: string, log = memoryLogger("info")): Promise<Service> {
  const config = createConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "jobs-access",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
  });
  return startService(config, log.logger, { zaloRetryBaseMs: 5, zaloJobs: { retryBaseMs: 30, maxAttempts: 3 } });
}

async function post(service: Service, userId: string, text: string): Promise<number> {
  const res = await postSignedZalo(`http://127.0.0.1:${service.port}`, zaloTextEvent(userId, text, `jobs-${++nextMsg}`));
  return res.status;
}

const requestsTo = (userId: string) => zalo.sendRequests.filter((r) => r.body.recipient?.user_id === userId).length;

describe("retries", () => {
  let service: Service;
  const log = memoryLogger("info");
  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-zalo-jobs-"));
    dirs.push(dataDir);
    service = await start(dataDir, log);
  }, 120_000);
  afterAll(async () => service?.stop());

  it("should retry later a send Zalo did not take, and deliver it once", async () => {
    zalo.script.push(...UNAVAILABLE);
    expect(await post(service, "9101", "menu")).toBe(200);
    await service.zalo?.idle();
    expect(zalo.textsTo("9101")).toHaveLength(1);
    expect(zalo.textsTo("9101")[0]).toMatch(MENU);
    // Four refused tries in the first claim, one that went through in the second.
    expect(requestsTo("9101")).toBe(5);
    expect(log.text()).toContain("zalo send failed; job retried later");
  });

  it("should give a job up after its attempts, with a log line, and answer the resident's next message", async () => {
    zalo.script.push(...UNAVAILABLE, ...UNAVAILABLE, ...UNAVAILABLE);
    expect(await post(service, "9102", "menu")).toBe(200);
    await service.zalo?.idle();
    expect(zalo.textsTo("9102")).toEqual([]);
    expect(requestsTo("9102")).toBe(12);
    expect(log.text()).toContain("zalo job given up after repeated send failures");
    expect(service.zalo?.pending()).toBe(0);
    expect(await post(service, "9102", "menu")).toBe(200);
    await service.zalo?.idle();
    expect(zalo.textsTo("9102")).toHaveLength(1);
  });

  it("should hold a resident's next message back while an earlier one waits for its retry", async () => {
    zalo.script.push(...UNAVAILABLE, ...UNAVAILABLE);
    expect(await post(service, "9103", "menu")).toBe(200);
    expect(await post(service, "9103", "1")).toBe(200);
    expect(await post(service, "9104", "menu")).toBe(200);
    await service.zalo?.idle();
    const texts = zalo.textsTo("9103");
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(MENU);
    expect(texts[1]).toMatch(SKILLS);
    expect(zalo.textsTo("9104")).toHaveLength(1);
  });
});

describe("a new start", () => {
  it("should send only what the previous run had not handed to Zalo, then the resident's next job, and drop an unreadable one", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-zalo-resume-"));
    dirs.push(dataDir);
    // A previous run worked the replies out and handed the first to Zalo, then died.
    const before = openSqliteStore({ dataDir });
    expect(before.jobs.enqueue({ channel: "zalo", eventId: "resume-1", orderKey: "9201", payload: { kind: "text", userId: "9201", text: "menu" } })).toBe(true);
    expect(before.jobs.enqueue({ channel: "zalo", eventId: "resume-2", orderKey: "9201", payload: { kind: "text", userId: "9201", text: "menu" } })).toBe(true);
    const [first] = before.jobs.claim("zalo", { limit: 1, leaseMs: 60_000 });
    before.jobs.checkpoint(first?.id as number, { replies: ["Tin một", "Tin hai", "Tin ba"], next: 1 }, 60_000);
    before.close();
    // A job written under another secret (USER_KEY_SECRET changed) cannot be read.
    const other = openSqliteStore({ dataDir, secret: "mot-bi-mat-khac-truoc-day" });
    expect(other.jobs.enqueue({ channel: "zalo", eventId: "resume-3", orderKey: "9202", payload: { kind: "text", userId: "9202", text: "menu" } })).toBe(true);
    other.close();

    const log = memoryLogger("info");
    const service = await start(dataDir, log);
    try {
      await service.zalo?.idle();
      const texts = zalo.textsTo("9201");
      expect(texts.slice(0, 2)).toEqual(["Tin hai", "Tin ba"]);
      expect(texts).toHaveLength(3);
      expect(texts[2]).toMatch(MENU);
      expect(zalo.textsTo("9202")).toEqual([]);
      expect(log.text()).toContain("zalo jobs left by the last run taken up");
      expect(log.text()).toContain("zalo job unreadable");
    } finally {
      await service.stop();
    }
  }, 120_000);
});
