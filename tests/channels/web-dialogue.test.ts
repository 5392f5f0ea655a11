/**
 * The web page's JSON routes on the real service (loopback): GET /api/chat/menu, POST /api/chat
 * and GET /api/chat/updates, answered by the same dialogue as Telegram and Zalo; validation with
 * English error codes, the per-address rate limit, and staff answers collected by the page.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import type { Choice, Reply } from "../../src/core/dialogue/index.js";
import { DIALOGUE_TEXTS } from "../../src/core/dialogue/index.js";
import { createLogger } from "../../src/logger.js";
import { startService, type Service } from "../../src/app/service.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

let dataDir: string;
let service: Service;
let base: string;
let client = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-web-chat-"));
  const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", API_RATE_LIMIT_PER_MINUTE: "30", TRUST_PROXY: "loopback" });
  service = await startService(config, createLogger("silent"));
  base = `http://127.0.0.1:${service.port}`;
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A browser: its own session id and, behind the trusted proxy, its own address. */
function browser() {
  const n = ++client;
  const sessionId = `session-${n}-${"x".repeat(16)}`;
  const headers = { "content-type": "application/json", "x-forwarded-for": `203.0.113.${n}` };
  return {
    sessionId,
    async post(body: Record<string, unknown>): Promise<{ status: number; body: { replies: Reply[]; error?: { code: string; message: string } } }> {
      const res = await fetch(`${base}/api/chat`, { method: "POST", headers, body: JSON.stringify({ sessionId, ...body }) });
      return { status: res.status, body: (await res.json()) as { replies: Reply[] } };
    },
    async updates(): Promise<Reply[]> {
      const res = await fetch(`${base}/api/chat/updates?sessionId=${sessionId}`, { headers });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: Reply[] }).replies;
    },
  };
}
const joined = (replies: readonly Reply[]) => replies.map((r) => r.text).join("\n");
const ids = (r: Reply | undefined) => (r?.choices ?? []).map((c: Choice) => c.id);

describe("GET /api/chat/menu", () => {
  it("should give the menu entries, the consent wording and the communes as JSON", async () => {
    const res = await fetch(`${base}/api/chat/menu`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { menu: Choice[]; consent: { notice: string; question: string; choices: Choice[] }; communes: Array<{ id: string; name: string }> };
    expect(body.menu.map((c) => c.id)).toEqual(["menu:skills", "menu:smartphone", "menu:two-g", "menu:plan", "menu:staff", "menu:commune", "menu:privacy"]);
    expect(body.menu[1]?.label).toMatch(/^Kiểm tra hỗ trợ điện thoại thông minh/);
    expect(body.consent.question).toBe(DIALOGUE_TEXTS.consentQuestion);
    expect(body.consent.notice).toContain("91/2025/QH15");
    expect(body.consent.choices).toEqual([
      { id: "consent:yes", label: "Đồng ý lưu câu hỏi" },
      { id: "consent:no", label: "Không đồng ý", sameRow: true },
    ]);
    expect(body.communes).toEqual([
      { id: "cong-hoa", name: "Cộng Hòa" },
      { id: "phu-tan", name: "Phú Tân" },
    ]);
  });
});

describe("POST /api/chat", () => {
  it("should welcome a new visitor with the notice and the consent question, then answer questions with sources and choices", async () => {
    const b = browser();
    const opened = await b.post({});
    expect(opened.status).toBe(200);
    expect(joined(opened.body.replies)).toContain("Chào bà con!");
    expect(ids(opened.body.replies.at(-1))).toEqual(["consent:yes", "consent:no"]);
    expect(joined((await b.post({ choice: "consent:yes" })).body.replies)).toContain(DIALOGUE_TEXTS.consentAgreed);
    for (const question of ["VNeID mức 2 đăng ký ở đâu?", "vneid muc 2 dang ky o dau", "VNeID mức 2 đăng ký ở đâu?".normalize("NFD")]) {
      const { body } = await b.post({ text: question });
      const [answer] = body.replies;
      expect(answer?.sources?.length).toBeGreaterThan(0);
      expect(answer?.answerKind).toBeDefined();
      expect(ids(answer)).toEqual(expect.arrayContaining([expect.stringMatching(/^fb:up:\d+$/), expect.stringMatching(/^staff:\d+$/)]));
    }
  });

  it("should take choices and commands as ids, and typed commands with or without diacritics", async () => {
    const b = browser();
    const skills = await b.post({ choice: "menu:skills" });
    expect(ids(skills.body.replies[0])).toEqual(DIALOGUE_TEXTS.skillQuestions.map((_q, i) => `ask:${i}`));
    expect(ids((await b.post({ choice: "command:menu" })).body.replies[0])).toContain("menu:privacy");
    for (const typed of ["Xem dữ liệu", "xem du lieu"]) expect(joined((await b.post({ text: typed })).body.replies)).toContain("Dữ liệu trợ lý đang lưu về bà con");
    // A tap acknowledged without a reply still shows its acknowledgement.
    await b.post({ choice: "consent:yes" });
    const answer = (await b.post({ text: "tat song 2g khi nao" })).body.replies[0];
    const up = ids(answer).find((id) => id.startsWith("fb:up:")) as string;
    expect((await b.post({ choice: up })).body.replies).toEqual([{ text: DIALOGUE_TEXTS.feedbackThanks }]);
  });

  it("should answer for the commune the page selected when the question names none", async () => {
    const b = browser();
    const { body } = await b.post({ text: "ty le dung chung tram bts la bao nhieu", context: { commune: "phu-tan" } });
    expect(joined(body.replies)).toContain("35");
  });

  it.each([
    ["no session id", { sessionId: undefined, text: "xin chào" }, 400, "INVALID_BODY"],
    ["a session id too short", { sessionId: "abc", text: "xin chào" }, 400, "INVALID_BODY"],
    ["text and choice together", { text: "xin chào", choice: "menu:skills" }, 400, "INVALID_BODY"],
    ["an unknown field", { text: "xin chào", extra: 1 }, 400, "INVALID_BODY"],
    ["empty text", { text: "   " }, 400, "QUESTION_EMPTY"],
    ["text over 2,000 characters", { text: "a".repeat(2001) }, 400, "QUESTION_TOO_LONG"],
    ["an unknown commune", { text: "xin chào", context: { commune: "xa-khong-co" } }, 400, "COMMUNE_UNKNOWN"],
    ["a choice id with markup", { choice: "<b>menu</b>" }, 400, "INVALID_BODY"],
  ])("should refuse %s with an English error code", async (_label, body, status, code) => {
    const b = browser();
    const res = await fetch(`${base}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId: b.sessionId, ...body }) });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(0);
  });

  it("should limit requests per address like /api/ask", async () => {
    const b = browser();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await b.post({ choice: "command:help" })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await b.post({ choice: "command:help" });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("RATE_LIMITED");
  });
});

describe("staff answers on the web page", () => {
  it("should show a staff answer as written, once, when the page polls or writes next", async () => {
    const b = browser();
    await b.post({ choice: "consent:yes" });
    await b.post({ choice: "menu:staff" });
    expect(joined((await b.post({ text: "Nhà văn hóa thôn 3 có mở cửa buổi tối không?" })).body.replies)).toContain(DIALOGUE_TEXTS.staffSent);
    const [item] = service.store.listQueue({ status: "open", channel: "web" });
    const { delivered } = await service.assistant.answerQueued(item?.id as number, "Dạ có, bà con gọi chú Ba 0912 345 678 để mở cửa.", "can-bo");
    // The page collects it: not delivered until it asks.
    expect(delivered).toBe(false);
    const [answer] = await b.updates();
    expect(answer?.fromStaff).toBe(true);
    expect(answer?.text).toContain("Nhà văn hóa thôn 3 có mở cửa buổi tối không?");
    expect(answer?.text).toContain("gọi chú Ba 0912 345 678");
    expect(await b.updates()).toEqual([]);
    expect(service.store.getQueueItem(item?.id as number)).toMatchObject({ delivered: true, deliveryAddress: null });

    await b.post({ choice: "menu:staff" });
    await b.post({ text: "Lớp học điện thoại mở khi nào?" });
    const [second] = service.store.listQueue({ status: "open", channel: "web" });
    await service.assistant.answerQueued(second?.id as number, "Dạ, sáng thứ bảy.", "can-bo");
    const next = (await b.post({ text: "cảm ơn" })).body.replies;
    expect(next[0]).toMatchObject({ fromStaff: true });
    expect(next[0]?.text).toContain("Dạ, sáng thứ bảy.");
    expect(next.length).toBeGreaterThan(1);
  });
});
