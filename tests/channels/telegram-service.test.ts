import { createServer, type Server } from "node:http";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startService, type Service } from "../../src/app/service.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";
import { BOT_INFO } from "../helpers/telegram.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const SECRET = "s3cret_Token-for-tests";

/** A loopback server playing the Telegram Bot API: records calls, answers like Telegram. */
function fakeBotApi(updates: unknown[] = []) {
  const calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  let messageId = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      calls.push({ method, body });
      const reply = (result: unknown, delay = 0) =>
        setTimeout(() => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: true, result }));
        }, delay);
      if (!(req.url ?? "").startsWith(`/bot${TOKEN}/`)) {
        res.writeHead(404).end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
        return;
      }
      if (method === "getMe") return reply(BOT_INFO);
      if (method === "sendMessage") return reply({ message_id: ++messageId, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: body.text });
      if (method === "getUpdates") {
        const batch = updates.splice(0);
        return reply(batch, batch.length ? 0 : 100);
      }
      return reply(true);
    });
  });
  return { calls, server };
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

const update = (id: number, text: string) => ({
  update_id: id,
  message: { message_id: id, date: 0, chat: { id: 777, type: "private", first_name: "Chú Bảy" }, from: { id: 777, is_bot: false, first_name: "Chú Bảy" }, text, ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}) },
});

let dataDir: string;
let service: Service | null;
let api: ReturnType<typeof fakeBotApi>;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-svc-"));
  service = null;
});
afterEach(async () => {
  await service?.stop();
  api?.server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done()` holds (at most `ms`). */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!done() && Date.now() - started < ms) await sleep(25);
}

let apiPort = 0;
async function start(extra: Record<string, string>, knowledgeDir = KNOWLEDGE_DIR) {
  if (!api.server.listening) apiPort = await listen(api.server);
  const config = createConfig({
    KNOWLEDGE_DIR: knowledgeDir,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${apiPort}`,
    ...extra,
  });
  service = await startService(config, createLogger("silent"), { telegramAutoRetry: false });
  return service;
}

describe("Telegram webhook mode on the service's HTTP server", () => {
  it("should register the webhook with its secret and process only updates that carry it", async () => {
    api = fakeBotApi();
    const svc = await start({ TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram", TELEGRAM_WEBHOOK_SECRET: SECRET });
    expect(svc.telegram?.mode).toBe("webhook");
    await svc.telegramReady;
    expect(api.calls.find((c) => c.method === "setWebhook")?.body).toMatchObject({ url: "https://xa.example.vn/webhooks/telegram", secret_token: SECRET });

    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${svc.port}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(update(1, "vneid muc 2 dang ky o dau")),
      });
    expect((await post({ "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect(api.calls.filter((c) => c.method === "sendMessage")).toEqual([]);
    expect(svc.store.getUser(svc.store.userKey("telegram", "777"))).toBeUndefined();

    const ok = await post({ "x-telegram-bot-api-secret-token": SECRET });
    expect(ok.status).toBe(200);
    // Answered once the resident pauses (messages sent quickly are joined into one question).
    await until(() => api.calls.some((c) => c.method === "sendMessage"));
    const answers = api.calls.filter((c) => c.method === "sendMessage");
    expect(answers.some((a) => String(a.body.text).includes("Nguồn:"))).toBe(true);
    expect(answers.every((a) => a.body.chat_id === 777)).toBe(true);
    expect(api.calls.filter((c) => c.method === "sendChatAction")).toHaveLength(1);
  });

  it("should join quick messages into one answer, and answer an update Telegram sends again once, also after a restart", async () => {
    api = fakeBotApi();
    const webhook = { TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram", TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_JOIN_QUIET_MS: "600" };
    let svc = await start(webhook);
    await svc.telegramReady;
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${svc.port}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    const parts = ["cho hoi", "vneid", "muc 2", "dang ky", "o dau", "can mang", "giay to", "gi", "vay", "a"];
    for (const [i, part] of parts.entries()) {
      expect(await post(update(100 + i, part))).toBe(200);
      await sleep(200);
    }
    await until(() => api.calls.some((c) => c.method === "sendMessage"));
    await sleep(1_000);
    const answered = api.calls.length;
    const texts = api.calls.filter((c) => c.method === "sendMessage").map((c) => String(c.body.text));
    expect(texts.filter((t) => t.includes("Nguồn:"))).toHaveLength(1);
    expect(texts.join("\n")).not.toContain("nhanh quá");
    expect(api.calls.filter((c) => c.method === "sendChatAction")).toHaveLength(1);

    // Telegram resends an update (it thought the first delivery failed): not answered again.
    expect(await post(update(105, parts[5] as string))).toBe(200);
    await sleep(1_000);
    expect(api.calls.length).toBe(answered);

    // …nor after a restart over the same data.
    await svc.stop();
    svc = await start(webhook);
    service = svc;
    await svc.telegramReady;
    const restarted = api.calls.length;
    expect(await post(update(105, parts[5] as string))).toBe(200);
    expect(await post(update(103, parts[3] as string))).toBe(200);
    await sleep(1_000);
    expect(api.calls.slice(restarted).filter((c) => c.method === "sendMessage")).toEqual([]);
    expect(await post(update(200, "vneid muc 2 dang ky o dau"))).toBe(200);
    await until(() => api.calls.slice(restarted).some((c) => c.method === "sendMessage"));
    expect(api.calls.slice(restarted).some((c) => c.method === "sendMessage" && String(c.body.text).includes("Nguồn:"))).toBe(true);
  }, 120_000);

  it("should refuse to start webhook mode without a secret", () => {
    expect(() => createConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram" })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});

describe("live knowledge", () => {
  it("should list the communes of communes.yaml as it is after a re-index, without a restart", async () => {
    api = fakeBotApi();
    const knowledgeDir = path.join(dataDir, "knowledge");
    await cp(KNOWLEDGE_DIR, knowledgeDir, { recursive: true });
    const svc = await start({ TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram", TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_JOIN_QUIET_MS: "0" }, knowledgeDir);
    await svc.telegramReady;
    let id = 300;
    /** Index of the last Bot API call already read. */
    let seen = -1;
    const communeButtons = async () => {
      const res = await fetch(`http://127.0.0.1:${svc.port}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(update(++id, "/xa")),
      });
      expect(res.status).toBe(200);
      await until(() => api.calls.some((c) => c.method === "sendMessage" && String(c.body.text).includes("Bà con ở xã nào?") && c.body.reply_markup !== undefined && api.calls.indexOf(c) > seen));
      const last = api.calls.filter((c) => c.method === "sendMessage").at(-1);
      seen = api.calls.length - 1;
      return ((last?.body.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> }).inline_keyboard ?? []).flat().map((b) => b.text);
    };
    expect(await communeButtons()).toEqual(["Xã Cộng Hòa", "Xã Phú Tân"]);
    const file = path.join(knowledgeDir, "communes.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("name: Phú Tân", "name: Phú Tân Đông"));
    await svc.reindex();
    expect(await communeButtons()).toEqual(["Xã Cộng Hòa", "Xã Phú Tân Đông"]);
  }, 120_000);
});

describe("Telegram long polling", () => {
  it("should fetch updates from the configured Bot API server, answer, and stop cleanly", async () => {
    api = fakeBotApi([update(10, "/start")]);
    const svc = await start({});
    expect(svc.telegram?.mode).toBe("polling");
    for (let i = 0; i < 50 && !api.calls.some((c) => c.method === "sendMessage"); i++) await new Promise((r) => setTimeout(r, 50));
    const welcome = api.calls.find((c) => c.method === "sendMessage");
    expect(String(welcome?.body.text)).toContain("Thông báo về dữ liệu cá nhân");
    await svc.stop();
    service = null;
  });
});

describe("Telegram unreachable", () => {
  it("should keep the web chat running when the Bot API cannot be reached", async () => {
    api = fakeBotApi();
    const apiPort = await listen(api.server);
    api.server.close();
    await new Promise((r) => setTimeout(r, 50));
    const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${apiPort}` });
    service = await startService(config, createLogger("silent"), { telegramAutoRetry: false });
    const res = await fetch(`http://127.0.0.1:${service.port}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "vneid muc 2 dang ky o dau" }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sources: unknown[] }).sources.length).toBeGreaterThan(0);
  });
});
