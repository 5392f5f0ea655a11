/**
 * The Zalo channel end to end: the real service on loopback receives signed webhook events over
 * HTTP and answers through a loopback server playing the Zalo OA API (tests/helpers/fake-zalo.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { signatureHeader } from "../../src/channels/zalo/signature.js";
import { DATABASE_FILE } from "../../src/storage/sqlite-store.js";
import { createConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startService, type Service } from "../../src/app/service.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";
import { APP_ID, APP_SECRET, OA_SECRET, startFakeZalo, type FakeZalo } from "../helpers/fake-zalo.js";

let dataDir: string;
let service: Service;
let zalo: FakeZalo;
let nowMs = Date.now();
let nextMsg = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-zalo-svc-"));
  zalo = await startFakeZalo({ access: ["env-access"], refresh: ["env-refresh"] });
  const config = createConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    ZALO_APP_ID: APP_ID,
    ZALO_APP_SECRET_KEY: APP_SECRET,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "env-access",
    ZALO_REFRESH_TOKEN: "env-refresh",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
  });
  service = await startService(config, createLogger("silent"), { clock: () => nowMs, zaloRetryBaseMs: 5 });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await zalo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  nowMs = Date.now();
});

const webhook = () => `http://127.0.0.1:${service.port}/webhooks/zalo`;

function textEvent(userId: string, text: string, msgId = `msg-${++nextMsg}`, timestamp = String(nowMs)) {
  return { app_id: APP_ID, user_id_by_app: `app-${userId}`, event_name: "user_send_text", timestamp, sender: { id: userId }, recipient: { id: "579745863508352884" }, message: { text, msg_id: msgId } };
}

/** Posts a raw body signed the way Zalo signs (or with the given signature). */
async function postRaw(raw: string, signature?: string): Promise<Response> {
  const timestamp = String((JSON.parse(raw) as { timestamp?: string }).timestamp ?? "");
  return fetch(webhook(), {
    method: "POST",
    headers: { "content-type": "application/json", "x-zevent-signature": signature ?? signatureHeader(APP_ID, raw, timestamp, OA_SECRET) },
    body: raw,
  });
}

/** Sends an event, waits until its answer went out, and returns the texts this user received by then. */
async function send(event: object): Promise<Response> {
  const res = await postRaw(JSON.stringify(event));
  await service.zalo?.idle();
  return res;
}

async function say(userId: string, text: string): Promise<string[]> {
  const before = zalo.textsTo(userId).length;
  const res = await send(textEvent(userId, text));
  expect(res.status).toBe(200);
  return zalo.textsTo(userId).slice(before);
}

const follow = (userId: string) => ({ app_id: APP_ID, oa_id: "579745863508352884", user_id_by_app: `app-${userId}`, event_name: "follow", timestamp: String(nowMs), follower: { id: userId } });

describe("webhook signature", () => {
  it("should accept a correctly signed event and answer it", async () => {
    const replies = await say("1001", "Tắt sóng 2G là khi nào?");
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.join("\n")).toMatch(/2G/);
  });

  it.each([
    ["a wrong mac", (raw: string) => postRaw(raw, `mac=${"0".repeat(64)}`)],
    ["a mac made with another secret", (raw: string) => postRaw(raw, signatureHeader(APP_ID, raw, String(nowMs), "not-the-oa-secret"))],
    ["a mac made with the app secret instead of the OA secret", (raw: string) => postRaw(raw, signatureHeader(APP_ID, raw, String(nowMs), APP_SECRET))],
    ["no signature header", (raw: string) => fetch(webhook(), { method: "POST", headers: { "content-type": "application/json" }, body: raw })],
    ["an altered body", (raw: string) => postRaw(raw.replace("sóng", "song"), signatureHeader(APP_ID, raw, String(nowMs), OA_SECRET))],
    ["re-serialised JSON (not the raw body)", (raw: string) => postRaw(JSON.stringify(JSON.parse(raw), null, 1), signatureHeader(APP_ID, raw, String(nowMs), OA_SECRET))],
  ])("should refuse %s with 401 and answer nothing", async (_label, attempt) => {
    const raw = JSON.stringify(textEvent("1002", "Tắt sóng 2G là khi nào?"));
    const res = await attempt(raw);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SIGNATURE_INVALID");
    await service.zalo?.idle();
    expect(zalo.textsTo("1002")).toEqual([]);
  });

  it("should refuse a validly signed event whose timestamp is outside the replay window", async () => {
    const stale = String(nowMs - 4 * 60 * 60 * 1000);
    const res = await postRaw(JSON.stringify(textEvent("1003", "xin chào", "msg-stale", stale)));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TIMESTAMP_STALE");
    const future = String(nowMs + 4 * 60 * 60 * 1000);
    expect((await postRaw(JSON.stringify(textEvent("1003", "xin chào", "msg-future", future)))).status).toBe(401);
    await service.zalo?.idle();
    expect(zalo.textsTo("1003")).toEqual([]);
  });
});

describe("webhook validation", () => {
  it.each([
    ["text event without message text", () => ({ ...textEvent("1010", "x"), message: { msg_id: "m-x" } })],
    ["text event without sender", () => {
      const { sender: _sender, ...rest } = textEvent("1010", "x");
      return rest;
    }],
    ["event without app_id", () => {
      const { app_id: _app, ...rest } = textEvent("1010", "x");
      return rest;
    }],
    ["follow event without follower", () => ({ app_id: APP_ID, event_name: "follow", timestamp: String(nowMs) })],
    ["non-numeric timestamp", () => ({ ...textEvent("1010", "x"), timestamp: "yesterday" })],
  ])("should refuse a signed but malformed event (%s) with 400", async (_label, make) => {
    const res = await send(make());
    // A bad timestamp cannot pass the replay window; everything else is a validation error.
    expect([400, 401]).toContain(res.status);
    if (_label !== "non-numeric timestamp") expect(((await res.json()) as { error: { code: string } }).error.code).toBe("EVENT_INVALID");
    expect(zalo.textsTo("1010")).toEqual([]);
  });

  it("should refuse a body that is not JSON with 400", async () => {
    const res = await fetch(webhook(), { method: "POST", headers: { "content-type": "application/json", "x-zevent-signature": `mac=${"a".repeat(64)}` }, body: "{not json" });
    expect(res.status).toBe(400);
  });

  it("should acknowledge and ignore an unknown event type and the OA's own echoes", async () => {
    const unknown = await send({ app_id: APP_ID, event_name: "user_reacted_message", timestamp: String(nowMs), sender: { id: "1011" } });
    expect(unknown.status).toBe(200);
    const echo = await send({ app_id: APP_ID, event_name: "oa_send_text", timestamp: String(nowMs), sender: { id: "oa" }, recipient: { id: "1011" }, message: { text: "x", msg_id: "e1" } });
    expect(echo.status).toBe(200);
    expect(zalo.textsTo("1011")).toEqual([]);
    expect(zalo.textsTo("oa")).toEqual([]);
  });

  it("should answer a resent event (same msg_id) once", async () => {
    const event = textEvent("1012", "Tắt sóng 2G là khi nào?", "msg-dup-1");
    const first = await send(event);
    const count = zalo.textsTo("1012").length;
    const again = await send(event);
    const third = await send(event);
    expect([first.status, again.status, third.status]).toEqual([200, 200, 200]);
    expect(count).toBeGreaterThan(0);
    expect(zalo.textsTo("1012")).toHaveLength(count);
  });

  it("should acknowledge before the answer is sent, and answer one resident's messages in order", async () => {
    zalo.sendDelayMs = 150;
    try {
      // The first needs the engine (it awaits); the next two must still wait for it.
      const events = ["tat song 2g la khi nao", "menu", "3"].map((text) => textEvent("1013", text));
      for (const event of events) {
        const res = await postRaw(JSON.stringify(event));
        expect(res.status).toBe(200);
      }
      // All three were acknowledged while Zalo had not yet taken a single reply.
      expect(service.zalo?.pending()).toBeGreaterThan(0);
      expect(zalo.textsTo("1013")).toEqual([]);
      await service.zalo?.idle();
    } finally {
      zalo.sendDelayMs = 0;
    }
    const texts = zalo.textsTo("1013");
    const menuAt = texts.findIndex((t) => /1\. Kỹ năng số/.test(t));
    expect(menuAt).toBeGreaterThan(0);
    expect(texts.slice(0, menuAt).join("\n")).toContain("Nguồn:");
    expect(texts.at(-1)).toMatch(/1\. Máy bàn phím chỉ có 2G/);
  });

  it("should send nothing for an unfollow", async () => {
    const res = await send({ app_id: APP_ID, oa_id: "579745863508352884", event_name: "unfollow", timestamp: String(nowMs), follower: { id: "1014" } });
    expect(res.status).toBe(200);
    expect(zalo.sendRequests.filter((r) => r.body.recipient?.user_id === "1014")).toEqual([]);
  });
});

describe("consent", () => {
  it("should greet a new follower with the privacy notice and a numbered consent choice, and store text after 1", async () => {
    const before = zalo.textsTo("2001").length;
    expect((await send(follow("2001"))).status).toBe(200);
    const welcome = zalo.textsTo("2001").slice(before).join("\n");
    expect(welcome).toContain("Thông báo về dữ liệu cá nhân");
    expect(welcome).toContain("Gõ 1 để đồng ý lưu câu hỏi, 2 để không đồng ý");
    const agreed = await say("2001", "1");
    expect(agreed.join("\n")).toContain("Cảm ơn bà con đã đồng ý");
    const key = service.store.userKey("zalo", "2001");
    expect(service.store.getUser(key)?.consent?.granted).toBe(true);
    await say("2001", "Số điện thoại 0912345678 của tôi có dùng được sau khi tắt 2G không?");
    const mine = lastMessageOf(key);
    expect(mine?.question).toBeTruthy();
    expect(mine?.question).not.toContain("0912345678");
  });

  it("should keep no question text after 2, and still answer", async () => {
    await send(follow("2002"));
    const declined = await say("2002", "2");
    expect(declined.join("\n")).toContain("không lưu câu hỏi");
    const key = service.store.userKey("zalo", "2002");
    expect(service.store.getUser(key)?.consent?.granted).toBe(false);
    const answer = await say("2002", "tat song 2g la khi nao");
    expect(answer.join("\n")).toMatch(/2G/);
    expect(lastMessageOf(key)?.question).toBeNull();
    // Nor anywhere else in the database (the follow-up context lives in memory only).
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
      for (const table of tables) {
        const rows = db.prepare(`SELECT * FROM "${table}"`).all();
        expect(JSON.stringify(rows)).not.toContain("tat song 2g la khi nao");
      }
    } finally {
      db.close();
    }
    // The follow-up still works within the conversation.
    expect((await say("2002", "con xa phu tan thi sao")).join("\n")).toMatch(/2G/);
  });

  it("should answer a first message without a follow event, then ask for consent once", async () => {
    const replies = await say("2003", "tat song 2g la khi nao");
    expect(replies.join("\n")).toMatch(/2G/);
    expect(replies.at(-1)).toContain("Gõ 1 để đồng ý lưu câu hỏi");
    // The answer itself carries no numbered footer: the only "Gõ 1" is the consent question.
    expect(replies.slice(0, -1).join("\n")).not.toContain("Gõ 1 nếu");
    const next = await say("2003", "VNeID mức 2 đăng ký ở đâu?");
    expect(next.join("\n")).not.toContain("Thông báo về dữ liệu cá nhân");
  });
});

function lastMessageOf(key: string) {
  for (let id = 5000; id > 0; id--) {
    const m = service.store.getMessage(id);
    if (m && m.userKey === key) return m;
  }
  return undefined;
}

describe("menu and guided flows by numbers", () => {
  it("should show the numbered menu on 'menu' and on '0'", async () => {
    await send(follow("3001"));
    await say("3001", "2");
    for (const word of ["menu", "0", "MENU"]) {
      const menu = (await say("3001", word)).join("\n");
      expect(menu).toMatch(/1\. Kỹ năng số/);
      expect(menu).toMatch(/2\. Kiểm tra hỗ trợ điện thoại thông minh/);
      expect(menu).toMatch(/3\. Kiểm tra điện thoại khi tắt sóng 2G/);
      expect(menu).toMatch(/7\. Quyền riêng tư/);
    }
  });

  it("should walk the smartphone-support flow by numbers to an answer with sources", async () => {
    await say("3002", "menu");
    const q1 = (await say("3002", "2")).join("\n");
    expect(q1).toMatch(/1\. Hộ nghèo\n2\. Hộ cận nghèo/);
    const q2 = (await say("3002", "1")).join("\n");
    expect(q2).toMatch(/1\. Có, đã nhận/);
    const q3 = (await say("3002", "2")).join("\n");
    expect(q3).toMatch(/1\. Đã mua, từ ngày 12\/12\/2022/);
    const outcome = (await say("3002", "1")).join("\n");
    expect(outcome).toContain("Nguồn:");
    expect(outcome).toMatch(/14\/2022/);
    expect(outcome).toContain("Gõ 0 để xem menu");
    expect(service.assistant.activeFlow({ channel: "zalo", channelUserId: "3002" })).toBeNull();
  });

  it("should walk the 2G flow by numbers, and '0' in the middle returns to the menu", async () => {
    await say("3003", "menu");
    const q1 = (await say("3003", "3")).join("\n");
    expect(q1).toMatch(/1\. Máy bàn phím chỉ có 2G/);
    const menu = (await say("3003", "0")).join("\n");
    expect(menu).toMatch(/1\. Kỹ năng số/);
    expect(service.assistant.activeFlow({ channel: "zalo", channelUserId: "3003" })).toBeNull();
    await say("3003", "3");
    const outcome = (await say("3003", "1")).join("\n");
    expect(outcome).toContain("Nguồn:");
    expect(outcome).toMatch(/2G/);
  });

  it("should answer a skills question picked by number, and typed choices without diacritics", async () => {
    await send(follow("3004"));
    await say("3004", "1");
    await say("3004", "menu");
    const list = (await say("3004", "1")).join("\n");
    expect(list).toMatch(/2\. Bị lừa đảo qua mạng thì báo ở đâu\?/);
    const answer = (await say("3004", "2")).join("\n");
    expect(answer).toContain("Nguồn:");
    expect(answer).toContain("Gõ 1 nếu câu trả lời giúp được bà con");
    await say("3004", "menu");
    await say("3004", "2");
    const q2 = (await say("3004", "ho can ngheo")).join("\n");
    expect(q2).toMatch(/máy tính bảng/);
  });

  it("should take 1 and 2 after an answer as feedback, and the next text as the reason", async () => {
    await send(follow("3005"));
    await say("3005", "2");
    await say("3005", "tat song 2g la khi nao");
    expect((await say("3005", "1")).join("\n")).toContain("Cảm ơn bà con đã đánh giá");
    await say("3005", "VNeID mức 2 đăng ký ở đâu?");
    expect((await say("3005", "2")).join("\n")).toContain("vì sao câu trả lời chưa tốt");
    expect((await say("3005", "chua noi ro gio lam viec")).join("\n")).toContain("Ý kiến này giúp cán bộ xã");
    // The numbers mean nothing now: "2" is not taken as a second opinion.
    expect((await say("3005", "2")).join("\n")).toContain("chưa hiểu số 2");
  });

  it("should number the questions of «Có phải bà con muốn hỏi…?» and answer the one picked", async () => {
    await send(follow("3010"));
    await say("3010", "2");
    const offer = (await say("3010", "doi may")).join("\n");
    expect(offer).toContain("Có phải bà con muốn hỏi");
    expect(offer).toMatch(/\n1\. .+\?\n2\. .+\?/);
    expect(offer).toMatch(/Gõ số từ 1 đến [23] để chọn/);
    const answer = (await say("3010", "1")).join("\n");
    expect(answer).toContain("Nguồn:");
    expect(answer).not.toContain("Có phải bà con muốn hỏi");
    expect(answer).toContain("Gõ 1 nếu câu trả lời giúp được bà con");
  });

  it("should answer a greeting briefly, with only the way back to the menu", async () => {
    await send(follow("3011"));
    await say("3011", "2");
    const reply = (await say("3011", "xin chao")).join("\n");
    expect(reply).toContain("Chào bà con");
    expect(reply).not.toContain("Gõ 1 nếu");
    expect(reply).toContain("Gõ 0 để xem menu");
  });

  it("should choose the commune by number", async () => {
    await say("3006", "chon xa");
    const picked = (await say("3006", "2")).join("\n");
    expect(picked).toMatch(/Đã chọn xã/);
    const key = service.store.userKey("zalo", "3006");
    expect(service.store.getUser(key)?.commune).toBeTruthy();
  });
});

describe("communes across turns", () => {
  it("should answer a new question for the commune it names, not the one named before", async () => {
    const r = { channel: "zalo" as const, channelUserId: "6101" };
    const first = await service.assistant.ask(r, "Kế hoạch hạ tầng số xã Cộng Hòa đặt mục tiêu gì?");
    expect(first.result.commune).toBe("cong-hoa");
    const second = await service.assistant.ask(r, "Kế hoạch hạ tầng số xã Phú Tân đặt mục tiêu gì?");
    expect(second.result.commune).toBe("phu-tan");
    // A follow-up that names nothing keeps the commune of the conversation.
    const third = await service.assistant.ask(r, "con muc tieu ve cap quang thi sao");
    expect(third.result.commune).toBe("phu-tan");
  });
});

describe("other messages", () => {
  it("should answer an image or a sticker politely in text", async () => {
    for (const media of ["user_send_image", "user_send_sticker"]) {
      const before = zalo.textsTo("4001").length;
      await send({ app_id: APP_ID, event_name: media, timestamp: String(nowMs), sender: { id: "4001" }, recipient: { id: "oa" }, message: { msg_id: `media-${media}`, attachments: [{ type: "image", payload: { url: "https://example.invalid/a.jpg" } }] } });
      const replies = zalo.textsTo("4001").slice(before);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain("chỉ đọc được tin nhắn chữ");
    }
  });

  it("should delete the resident's data only after confirmation with 1", async () => {
    await send(follow("4002"));
    await say("4002", "1");
    await say("4002", "Làm sao nhận biết cuộc gọi lừa đảo?");
    const key = service.store.userKey("zalo", "4002");
    const ask = (await say("4002", "Xóa dữ liệu")).join("\n");
    expect(ask).toContain("Gõ 1 để xóa, 2 để giữ lại");
    await say("4002", "2");
    expect(service.store.getUser(key)).toBeDefined();
    await say("4002", "xoa du lieu");
    const done = (await say("4002", "1")).join("\n");
    expect(done).toContain("Đã xóa toàn bộ dữ liệu");
    expect(service.store.getUser(key)).toBeUndefined();
    expect(service.store.getState(`${key}:zalo`)).toBeUndefined();
    expect(lastMessageOf(key)).toBeUndefined();
  });

  it("should keep answering after Zalo refuses a send with an error in a 200 body", async () => {
    zalo.script.push({ status: 200, body: { error: -232, message: "Interaction expired" } });
    await say("4003", "tat song 2g la khi nao");
    expect(zalo.textsTo("4003")).toEqual([]);
    const next = await say("4003", "tat song 2g la khi nao");
    expect(next.length).toBeGreaterThan(0);
  });

  it("should retry a 503 from Zalo and deliver the answer", async () => {
    const before = zalo.sendRequests.length;
    zalo.script.push({ status: 503, body: {} });
    const replies = await say("4004", "VNeID mức 2 đăng ký ở đâu?");
    expect(replies.length).toBeGreaterThan(0);
    expect(zalo.sendRequests.length - before).toBe(replies.length + 1);
  });
});

describe("staff answers", () => {
  async function queuedQuestion(userId: string): Promise<number> {
    await send(follow(userId));
    await say(userId, "1");
    await say(userId, "hỏi cán bộ");
    const queued = (await say(userId, "Khi nào xã tổ chức lớp dạy dùng điện thoại cho người cao tuổi?")).join("\n");
    expect(queued).toContain("Đã chuyển câu hỏi cho cán bộ xã");
    const key = service.store.userKey("zalo", userId);
    const item = service.store.listQueue({ status: "open", userKey: key })[0];
    expect(item).toBeDefined();
    return (item as { id: number }).id;
  }

  it("should deliver a staff answer inside the free window, split at 2,000 characters on sentence ends", async () => {
    const id = await queuedQuestion("5001");
    const sentence = "Lớp học dùng điện thoại thông minh được tổ chức tại nhà văn hóa thôn vào sáng thứ bảy hằng tuần. ";
    const long = sentence.repeat(45).trim();
    const before = zalo.textsTo("5001").length;
    const { delivered, item } = await service.assistant.answerQueued(id, long, "can-bo-vhxh");
    expect(delivered).toBe(true);
    expect(item.delivered).toBe(true);
    const pieces = zalo.textsTo("5001").slice(before);
    expect(pieces.length).toBe(3);
    expect(pieces[0]).toContain("Cán bộ xã trả lời câu hỏi của bà con");
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(2000);
      expect(piece).toMatch(/[.»?]$/);
    }
    expect(pieces.join(" ").replace(/\s+/g, " ")).toContain(long.slice(0, 200));
  });

  it("should keep an answer outside the free window as undelivered, and send it when the resident writes again", async () => {
    const id = await queuedQuestion("5002");
    nowMs += 49 * 60 * 60 * 1000;
    const before = zalo.textsTo("5002").length;
    const { delivered } = await service.assistant.answerQueued(id, "Lớp học mở vào tháng sau tại nhà văn hóa.", "can-bo-vhxh");
    expect(delivered).toBe(false);
    expect(service.store.getQueueItem(id)?.delivered).toBe(false);
    expect(zalo.textsTo("5002").length).toBe(before);
    const replies = await say("5002", "menu");
    expect(replies.some((r) => r.includes("Lớp học mở vào tháng sau"))).toBe(true);
    expect(service.store.getQueueItem(id)?.delivered).toBe(true);
  });
});

describe("seeing one's data", () => {
  it("should show what is stored on 'xem du lieu', masked, with the choices last", async () => {
    await send(follow("6001"));
    await say("6001", "1");
    await say("6001", "Số điện thoại 0912345678 của tôi có dùng được sau khi tắt 2G không?");
    await say("6001", "2");
    await say("6001", "chua ro, cccd cua toi 001203004567");
    const replies = await say("6001", "Xem dữ liệu");
    const text = replies.join("\n");
    expect(text).toContain("Dữ liệu trợ lý đang lưu về bà con");
    expect(text).toMatch(/bà con đã đồng ý lúc \d\d\/\d\d\/\d{4} \d\d:\d\d/);
    expect(text).toContain("đã ghi lại 1 câu hỏi");
    expect(text).toContain("«Số điện thoại [số điện thoại đã ẩn] của tôi có dùng được sau khi tắt 2G không?»");
    expect(text).toContain("«chua ro, cccd cua toi [số giấy tờ đã ẩn]»");
    expect(text).not.toMatch(/0912345678|001203004567/);
    expect(text).toContain("không lưu tên, số điện thoại hay mã tài khoản Zalo");
    expect(text).toContain("gõ «xoa du lieu»");
    expect(replies.at(-1)).toContain("Gõ 0 để xem menu");
    for (const r of replies) expect(r.length).toBeLessThanOrEqual(2000);
  });

  it("should be offered by the privacy menu item (type 3) and told in the notice", async () => {
    await say("6002", "menu");
    const privacy = (await say("6002", "7")).join("\n");
    expect(privacy).toContain("gõ «xem du lieu»");
    expect(privacy).toContain("Gõ 3 để xem trợ lý đang lưu gì về bà con");
    const shown = (await say("6002", "3")).join("\n");
    expect(shown).toContain("Dữ liệu trợ lý đang lưu về bà con");
    expect(shown).toContain("bà con chưa chọn");
    // Looking changed nothing: the resident still has not chosen.
    expect(service.store.getUser(service.store.userKey("zalo", "6002"))?.consent).toBeNull();
  });

  it("should split a long listing at Zalo's 2,000-character limit", async () => {
    const user = service.store.ensureUser("zalo", "6003");
    service.store.setConsent(user.key, true, "test");
    for (let i = 1; i <= 12; i++) {
      const question = `Câu hỏi số ${i}: ${"bà con muốn hỏi thêm về thủ tục đăng ký. ".repeat(20)}`;
      service.store.recordMessage({ userKey: user.key, channel: "zalo", question, kind: "extractive", confidence: 0.5, commune: null, sources: [], latencyMs: 1 });
    }
    const replies = await say("6003", "xem du lieu");
    expect(replies.length).toBeGreaterThan(1);
    for (const r of replies) expect(r.length).toBeLessThanOrEqual(2000);
    const text = replies.join("\n");
    expect(text).toContain("10 câu gần nhất");
    expect(text).toContain("Câu hỏi số 12:");
    expect(replies.at(-1)).toContain("Gõ 0 để xem menu");
  });
});
