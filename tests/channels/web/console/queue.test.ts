/**
 * The staff queue end to end: a resident's queued Telegram question is answered in the console,
 * the answer goes out through a loopback server playing the Bot API, the queue records who
 * answered; saving the answer as an FAQ entry makes the same question answered from the FAQ
 * without a restart (on a temporary copy of the knowledge folder).
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTICE_VERSION } from "../../../../src/core/privacy/notice.js";
import type { Channel } from "../../../../src/core/store.js";
import { BOT_INFO } from "../../../helpers/telegram.js";
import { csrfOf, signedIn, startConsoleService, type ConsoleTestService } from "./helpers.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const QUESTION = "Lịch sinh hoạt câu lạc bộ dưỡng sinh ở nhà văn hóa thôn là khi nào?";

/** Records sendMessage calls like the Telegram Bot API would answer them. */
function fakeBotApi() {
  const sent: Array<{ chat_id: unknown; text: string }> = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      let result: unknown = true;
      if (method === "getMe") result = BOT_INFO;
      if (method === "sendMessage") {
        sent.push({ chat_id: body.chat_id, text: String(body.text) });
        result = { message_id: sent.length, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: body.text };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  return { sent, server };
}

let t: ConsoleTestService;
let api: ReturnType<typeof fakeBotApi>;

beforeAll(async () => {
  api = fakeBotApi();
  await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
  const apiPort = (api.server.address() as AddressInfo).port;
  t = await startConsoleService(
    {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${apiPort}`,
      TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram",
      TELEGRAM_WEBHOOK_SECRET: "secret_for_tests",
    },
    { copyKnowledge: true, service: { telegramBotInfo: BOT_INFO, telegramAutoRetry: false } },
  );
  await t.service.telegramReady;
}, 60_000);
afterAll(async () => {
  await t?.stop();
  api?.server.close();
});

/** A consenting resident's question in the queue, as the channels put it there. */
function enqueue(channel: Channel, userId: string, question: string) {
  const { store } = t.service;
  const user = store.ensureUser(channel, userId);
  store.setConsent(user.key, true, NOTICE_VERSION);
  return store.enqueue({ userKey: user.key, channel, question, reason: "requested", deliveryAddress: userId });
}

describe("answering queued questions", () => {
  it("should deliver the answer on the resident's channel, record the staff username and drop it from the open list", async () => {
    const item = enqueue("telegram", "777", QUESTION);
    const { client } = await signedIn(t.base);
    const list = await client.get("/console/cau-hoi-cho");
    const html = await list.text();
    expect(html).toContain(`id="q-${item.id}"`);
    expect(html).toContain(QUESTION);

    const res = await client.postForm(`/console/cau-hoi-cho/${item.id}/tra-loi`, {
      _csrf: csrfOf(html),
      answer: "Dạ, câu lạc bộ dưỡng sinh sinh hoạt sáng thứ bảy ở nhà văn hóa thôn, bà con hỏi trưởng thôn.",
      back: "/console/cau-hoi-cho?trang-thai=open",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/cau-hoi-cho?trang-thai=open");

    const stored = t.service.store.getQueueItem(item.id);
    expect(stored?.status).toBe("answered");
    expect(stored?.answeredBy).toBe("admin");
    expect(stored?.delivered).toBe(true);
    expect(stored?.deliveryAddress).toBeNull();
    const message = api.sent.find((m) => m.chat_id === 777 || m.chat_id === "777");
    expect(message?.text).toContain("câu lạc bộ dưỡng sinh sinh hoạt sáng thứ bảy");

    const after = await (await client.get("/console/cau-hoi-cho?trang-thai=open")).text();
    expect(after).toContain("đã gửi câu trả lời cho người dân qua Telegram");
    expect(after).not.toContain(`id="q-${item.id}"`);
    const answered = await (await client.get("/console/cau-hoi-cho?trang-thai=answered&kenh=telegram")).text();
    expect(answered).toContain(`id="q-${item.id}"`);
    expect(answered).toContain('data-delivered="true"');
    expect(answered).toContain("Trả lời của admin");
  });

  it("should say when an answer could not be delivered", async () => {
    // Zalo is not configured in this service: the answer is kept but cannot go out yet.
    const item = enqueue("zalo", "zalo-user-1", "Khi nào xã mở lớp học dùng điện thoại?");
    const { client, csrf } = await signedIn(t.base);
    const res = await client.postForm(`/console/cau-hoi-cho/${item.id}/tra-loi`, { _csrf: csrf, answer: "Dạ, tháng sau xã mở lớp tại nhà văn hóa." });
    expect(res.status).toBe(303);
    expect(t.service.store.getQueueItem(item.id)?.delivered).toBe(false);
    const page = await (await client.get(res.headers.get("location") ?? "")).text();
    expect(page).toContain("chưa gửi được");
    const answered = await (await client.get("/console/cau-hoi-cho?trang-thai=answered&kenh=zalo")).text();
    expect(answered).toContain('data-delivered="false"');
  });

  it("should close a question without answering, and refuse to answer it afterwards", async () => {
    const item = enqueue("telegram", "778", "Tin nhắn rác gửi nhầm");
    const { client, csrf } = await signedIn(t.base);
    expect((await client.postForm(`/console/cau-hoi-cho/${item.id}/dong`, { _csrf: csrf })).status).toBe(303);
    const closed = t.service.store.getQueueItem(item.id);
    expect(closed?.status).toBe("closed");
    const again = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer: "Muộn rồi" }, { "x-csrf-token": csrf });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("QUEUE_ITEM_CLOSED");
    expect((await client.postJson("/console/api/queue/999999/close", {}, { "x-csrf-token": csrf })).status).toBe(404);
  });

  it("should list the queue as JSON without raw chat addresses or user keys", async () => {
    enqueue("telegram", "779", "Câu hỏi cho API");
    const { client } = await signedIn(t.base);
    const res = await client.get("/console/api/queue?status=open&channel=telegram");
    const body = (await res.json()) as { items: Array<Record<string, unknown>> };
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((i) => i.channel === "telegram" && i.status === "open")).toBe(true);
    expect(body.items.every((i) => !("deliveryAddress" in i) && !("userKey" in i))).toBe(true);
  });
});

describe("delivering a staff answer", () => {
  it("should send the staff member's words as written, once, and keep only the masked copy", async () => {
    const item = enqueue("telegram", "781", "Ai hướng dẫn cài VNeID cho người già?");
    const { client, csrf } = await signedIn(t.base);
    const before = api.sent.length;
    const answer = "Dạ, bà con gọi chị Hoa 0912 345 678 ở bộ phận một cửa để được hướng dẫn cài VNeID.";
    const res = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer }, { "x-csrf-token": csrf });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { delivered: boolean; item: { staffAnswer: string } };
    expect(body.delivered).toBe(true);
    const sent = api.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]?.chat_id)).toBe("781");
    expect(sent[0]?.text).toContain("gọi chị Hoa 0912 345 678 ở bộ phận một cửa");
    expect(sent[0]?.text).not.toContain("đã ẩn");
    const masked = "Dạ, bà con gọi chị Hoa [số điện thoại đã ẩn] ở bộ phận một cửa để được hướng dẫn cài VNeID.";
    expect(t.service.store.getQueueItem(item.id)?.staffAnswer).toBe(masked);
    expect(body.item.staffAnswer).toBe(masked);
    // Answered and delivered: nothing is sent again when the resident writes next.
    expect(await t.service.assistant.deliverPending({ channel: "telegram", channelUserId: "781" })).toBe(0);
    expect(api.sent.length).toBe(before + 1);
  });
});

describe("saving a staff answer as an FAQ entry", () => {
  it("should answer the same question from the FAQ right away, without a restart", async () => {
    const { client, csrf } = await signedIn(t.base);
    const before = (await (await client.postJson("/console/api/ask", { question: QUESTION }, { "x-csrf-token": csrf })).json()) as { kind: string };
    expect(before.kind).not.toBe("faq");

    // The resident's own words; staff write the public question themselves.
    const item = enqueue("telegram", "780", "Cho em hỏi lịch sinh hoạt câu lạc bộ dưỡng sinh ở nhà văn hóa thôn ạ?");
    const res = await client.postJson(
      `/console/api/queue/${item.id}/answer`,
      { answer: "Câu lạc bộ dưỡng sinh các thôn sinh hoạt sáng thứ bảy hằng tuần; lịch dán ở bảng tin của nhà văn hóa.", saveFaq: true, faqQuestion: QUESTION },
      { "x-csrf-token": csrf },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { delivered: boolean; faq: { saved: boolean; file: string }; item: { answeredBy: string } };
    expect(body.delivered).toBe(true);
    expect(body.item.answeredBy).toBe("admin");
    expect(body.faq.saved).toBe(true);
    expect(body.faq.file.startsWith(t.knowledgeDir)).toBe(true);
    expect(await readFile(path.join(t.knowledgeDir, "faq", "cua-can-bo-xa.md"), "utf8")).toContain(`## ${QUESTION}`);

    const after = (await (await client.postJson("/console/api/ask", { question: QUESTION }, { "x-csrf-token": csrf })).json()) as { kind: string; answer: string; sources: Array<{ id: string }> };
    expect(after.kind).toBe("faq");
    expect(after.answer).toContain("sáng thứ bảy hằng tuần");
    expect(after.sources.map((s) => s.id)).toContain("faq-cua-can-bo-xa");
    // The resident channels use the same live engine.
    expect((await t.service.engine.answer({ question: QUESTION })).kind).toBe("faq");
  });
});
