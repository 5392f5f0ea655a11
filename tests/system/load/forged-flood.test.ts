/**
 * A flood of 1,000 forged webhook requests (Zalo events with signatures that do not verify,
 * Telegram updates without the right secret token) against the real service on loopback: every
 * one is refused with 401/403, none creates a job, a user, a stored row or an outgoing message,
 * and real events are still answered afterwards. How much the flood slows real traffic is
 * measured by `npm run load`, not asserted here.
 */
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureHeader } from "../../../src/channels/zalo/signature.js";
import { createConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/logger.js";
import { startService, type Service } from "../../../src/app/service.js";
import { DATABASE_FILE } from "../../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { APP_ID, APP_SECRET, OA_SECRET, startFakeZalo, type FakeZalo } from "../../helpers/fake-zalo.js";
import { BOT_INFO } from "../../helpers/telegram.js";

const TOKEN = "123456:FLOOD-token-not-real-aaaaaaaaaaaa";
const SECRET = "flood_test_secret_token";
const FORGED = 1000;

let dataDir: string;
let service: Service;
let zalo: FakeZalo;
let botApi: Server;
const botCalls: Array<{ method: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-flood-"));
  zalo = await startFakeZalo({ access: ["flood-access"] });
  // A loopback Bot API that records calls and answers like Telegram.
  let messageId = 0;
  botApi = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      botCalls.push({ method, body });
      const result = method === "sendMessage" ? { message_id: ++messageId, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: body.text } : true;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((r) => botApi.listen(0, "127.0.0.1", r));
  const config = createConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    ZALO_APP_ID: APP_ID,
    ZALO_APP_SECRET_KEY: APP_SECRET,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "flood-access",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${(botApi.address() as AddressInfo).port}`,
    // Each message answered within its own update (no joining), so an answer can be checked right after posting.
    TELEGRAM_JOIN_QUIET_MS: "0",
  });
  service = await startService(config, createLogger("silent"), { telegramBotInfo: BOT_INFO, telegramAutoRetry: false });
  await service.telegramReady;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await zalo?.close();
  await new Promise<void>((r) => botApi.close(() => r()));
  await rm(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `http://127.0.0.1:${service.port}${p}`;

function zaloEvent(i: number, timestamp = String(Date.now())) {
  return JSON.stringify({
    app_id: APP_ID,
    user_id_by_app: `app-${i}`,
    event_name: "user_send_text",
    timestamp,
    sender: { id: String(9_000_000 + i) },
    recipient: { id: "579745863508352884" },
    message: { text: "Tắt sóng 2G là khi nào?", msg_id: `forged-${i}` },
  });
}

function telegramUpdate(i: number, userId = 9_000_000 + i) {
  return JSON.stringify({
    update_id: 100_000 + i,
    message: { message_id: i, date: 0, chat: { id: userId, type: "private", first_name: "Giả" }, from: { id: userId, is_bot: false, first_name: "Giả" }, text: "vneid muc 2 dang ky o dau" },
  });
}

/** One forged request of each kind, chosen by `i`. */
function forged(i: number): Promise<Response> {
  const json = { "content-type": "application/json" };
  if (i % 2 === 0) {
    const raw = zaloEvent(i);
    const ts = (JSON.parse(raw) as { timestamp: string }).timestamp;
    const signature = [
      `mac=${"0".repeat(64)}`,
      signatureHeader(APP_ID, raw, ts, "not-the-oa-secret"),
      signatureHeader(APP_ID, raw, ts, APP_SECRET),
      signatureHeader(APP_ID, zaloEvent(i + 1, ts), ts, OA_SECRET),
      undefined,
    ][(i / 2) % 5];
    return fetch(url("/webhooks/zalo"), { method: "POST", headers: { ...json, ...(signature ? { "x-zevent-signature": signature } : {}) }, body: raw });
  }
  const token = [`${SECRET}x`, SECRET.toUpperCase(), "", undefined][((i - 1) / 2) % 4];
  return fetch(url("/webhooks/telegram"), { method: "POST", headers: { ...json, ...(token !== undefined ? { "x-telegram-bot-api-secret-token": token } : {}) }, body: telegramUpdate(i) });
}

function counts() {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      users: n("SELECT count(*) AS n FROM users WHERE channel != 'web'"),
      consents: n("SELECT count(*) AS n FROM consents"),
      messages: n("SELECT count(*) AS n FROM messages"),
      queue: n("SELECT count(*) AS n FROM staff_queue"),
      state: n("SELECT count(*) AS n FROM state"),
      seenEvents: n("SELECT count(*) AS n FROM seen_events"),
    };
  } finally {
    db.close();
  }
}

describe("a flood of forged webhook requests", () => {
  it(`should refuse all ${FORGED} with 401/403 and create no job, row or answer`, async () => {
    const before = counts();
    const statuses: number[] = [];
    // 50 at a time, like many connections of one attacker.
    for (let start = 0; start < FORGED; start += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, FORGED - start) }, (_, k) => forged(start + k)));
      for (const res of batch) {
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    }
    expect(statuses).toHaveLength(FORGED);
    const refused = statuses.filter((s) => s === 401 || s === 403).length;
    expect(refused).toBe(FORGED);

    await service.zalo?.idle();
    expect(service.zalo?.pending()).toBe(0);
    expect(zalo.sendRequests).toEqual([]);
    expect(botCalls.filter((c) => c.method !== "setWebhook")).toEqual([]);
    expect(counts()).toEqual(before);
    expect(before).toMatchObject({ users: 0, messages: 0, seenEvents: 0 });
  }, 120_000);

  it("should still answer real events on both webhooks after the flood", async () => {
    const raw = zaloEvent(424242);
    const ts = (JSON.parse(raw) as { timestamp: string }).timestamp;
    const z = await fetch(url("/webhooks/zalo"), { method: "POST", headers: { "content-type": "application/json", "x-zevent-signature": signatureHeader(APP_ID, raw, ts, OA_SECRET) }, body: raw });
    expect(z.status).toBe(200);
    await service.zalo?.idle();
    expect(zalo.textsTo(String(9_000_000 + 424242)).join("\n")).toContain("2G");

    const t = await fetch(url("/webhooks/telegram"), { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body: telegramUpdate(1, 777) });
    expect(t.status).toBe(200);
    const answers = botCalls.filter((c) => c.method === "sendMessage" && c.body.chat_id === 777);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.map((a) => String(a.body.text)).join("\n")).toContain("Nguồn:");
    expect(counts().messages).toBeGreaterThanOrEqual(2);
  });
});
