/**
 * The web page's channel routes (/api/web/*) against the real service on 127.0.0.1: validation
 * errors with English codes, follow-ups from the context the page keeps, 👍/👎 with a reason,
 * consent before "Hỏi cán bộ xã", the staff answer collected by the page, rate limits, and no
 * question text stored without consent.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/core/errors.js";
import { CONSENT_LABELS, privacyNotice } from "../../src/core/privacy/notice.js";
import { DIALOGUE_TEXTS } from "../../src/core/dialogue/texts.js";
const STAFF_QUEUED = DIALOGUE_TEXTS.answerQueuedNote;
import { WEB_DELETE_HOW, WEB_VIEW_HOW } from "../../src/channels/web/info.js";
import { startConsoleService, type ConsoleTestService } from "./web/console/helpers.js";

let t: ConsoleTestService;

const PLAN = "xa cong hoa ke hoach toc do bang rong di dong bao nhieu";
const UNANSWERED = "lich sinh hoat cau lac bo duong sinh thon 3 co nuoc uong khong";

const sid = () => `t-${randomBytes(12).toString("base64url")}`;

interface Res<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** POST JSON as a browser would; `from` acts as another client address (the service trusts loopback proxies here). */
async function post<T = Record<string, unknown>>(route: string, body: unknown, from?: string): Promise<Res<T>> {
  const res = await fetch(`${t.base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(from ? { "x-forwarded-for": from } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

interface Answer {
  messageId: number;
  answer: { answer: string; kind: string; commune: string | null; sources: unknown[] };
  queued: { id: number } | null;
  context: { question: string; commune: string | null; at: number } | null;
  actions: { feedback: boolean; staff: boolean };
  consent: boolean | null;
}

const ask = (sessionId: string, text: string, extra: Record<string, unknown> = {}) => post<Answer>("/api/web/ask", { sessionId, text, ...extra });
const errorCode = (r: Res) => (r.body as { error?: { code?: string } }).error?.code;
const userKey = (sessionId: string) => t.service.store.userKey("web", sessionId);

beforeAll(async () => {
  t = await startConsoleService({ TRUST_PROXY: "loopback", API_RATE_LIMIT_PER_MINUTE: "60" });
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

describe("GET /api/web/info", () => {
  it("should list the communes under their current names, with the configured default and the same consent wording as the other channels", async () => {
    const res = await fetch(`${t.base}/api/web/info`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as {
      defaultCommune: string;
      groups: Array<{ label: string; communes: Array<{ id: string; name: string; formerUnit: string; search: string; offices: string[] }> }>;
      consent: { notice: string; agree: string; decline: string; why: string };
      staffQueued: string;
    };
    expect(info.defaultCommune).toBe("cong-hoa");
    expect(info.groups.map((g) => g.label)).toEqual(["Xã Minh Tân, tỉnh Ninh Bình", "Xã Tân Phú Đông, tỉnh Đồng Tháp"]);
    const [congHoa] = info.groups[0]!.communes;
    expect(congHoa).toMatchObject({ id: "cong-hoa", name: "Cộng Hòa", formerUnit: "xã Cộng Hòa, huyện Vụ Bản, tỉnh Nam Định" });
    expect(congHoa!.search).toContain("minh tan");
    expect(congHoa!.search).toContain("cong hoa");
    expect(congHoa!.offices.length).toBeGreaterThan(0);
    expect(info.consent.notice).toBe(privacyNotice({ retentionDays: 180, controller: "Ủy ban nhân dân xã (đơn vị vận hành Trợ lý số xã)", deleteHow: WEB_DELETE_HOW, viewHow: WEB_VIEW_HOW }));
    expect([info.consent.agree, info.consent.decline]).toEqual([CONSENT_LABELS.agree, CONSENT_LABELS.decline]);
    expect(info.consent.why).toBe(ERROR_CODES.CONSENT_REQUIRED);
    expect(info.staffQueued).toBe(STAFF_QUEUED);
    // No office phone number, address or hours is in the knowledge, so none is sent.
    expect(JSON.stringify(info)).not.toMatch(/\b0\d{8,10}\b|giờ làm việc/);
  });

  it("should serve the page's channel modules with the security headers", async () => {
    for (const file of ["channel.js", "commune.js", "actions.js"]) {
      const res = await fetch(`${t.base}/web/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/javascript");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    }
    expect((await fetch(`${t.base}/web/other.js`)).status).toBe(404);
  });
});

describe("validation", () => {
  it.each([
    ["no session id", { text: "vneid" }, "INVALID_BODY"],
    ["a short session id", { sessionId: "abc", text: "vneid" }, "INVALID_BODY"],
    ["a session id with other characters", { sessionId: "aaaaaaaaaaaaaaaa<script>", text: "vneid" }, "INVALID_BODY"],
    ["no text", { sessionId: "s-aaaaaaaaaaaaaaaa" }, "INVALID_BODY"],
    ["blank text", { sessionId: "s-aaaaaaaaaaaaaaaa", text: "  \n " }, "QUESTION_EMPTY"],
    ["text over 2,000 characters", { sessionId: "s-aaaaaaaaaaaaaaaa", text: "a".repeat(2001) }, "QUESTION_TOO_LONG"],
    ["an unknown commune", { sessionId: "s-aaaaaaaaaaaaaaaa", text: "vneid", commune: "ha-noi" }, "COMMUNE_UNKNOWN"],
    ["an unknown commune in the context", { sessionId: "s-aaaaaaaaaaaaaaaa", text: "vneid", context: { question: "x", commune: "ha-noi", at: 1 } }, "COMMUNE_UNKNOWN"],
    ["a context without its time", { sessionId: "s-aaaaaaaaaaaaaaaa", text: "vneid", context: { question: "x", commune: null } }, "INVALID_BODY"],
  ])("should refuse a question with %s", async (_name, body, code) => {
    const res = await post("/api/web/ask", body);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe(code);
    expect((res.body as { error: { message: string } }).error.message).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES]);
  });

  it("should refuse a body that is not JSON, and unknown ratings, ids and oversized reasons", async () => {
    expect(errorCode(await post("/api/web/ask", "{not json"))).toBe("INVALID_BODY");
    const s = sid();
    const { body } = await ask(s, "vneid muc 2 dang ky o dau");
    expect(errorCode(await post("/api/web/feedback", { sessionId: s, messageId: body.messageId, rating: "meh" }))).toBe("INVALID_BODY");
    expect(errorCode(await post("/api/web/feedback", { sessionId: s, messageId: "1", rating: "up" }))).toBe("INVALID_BODY");
    expect(errorCode(await post("/api/web/feedback", { sessionId: s, messageId: body.messageId, rating: "down", reason: "x".repeat(501) }))).toBe("INVALID_BODY");
    expect(errorCode(await post("/api/web/consent", { sessionId: s, granted: "yes" }))).toBe("INVALID_BODY");
    expect(errorCode(await post("/api/web/staff", { sessionId: s }))).toBe("QUESTION_EMPTY");
    expect(errorCode(await post("/api/web/inbox", {}))).toBe("INVALID_BODY");
  });

  it("should not let one session rate or send to staff another session's answer", async () => {
    const owner = sid();
    const other = sid();
    const { body } = await ask(owner, "vneid muc 2 dang ky o dau");
    const res = await post("/api/web/feedback", { sessionId: other, messageId: body.messageId, rating: "down" });
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("NOT_FOUND");
    await post("/api/web/consent", { sessionId: other, granted: true });
    const staff = await post("/api/web/staff", { sessionId: other, messageId: body.messageId, text: "vneid" });
    expect(staff.status).toBe(404);
    expect(t.service.store.listQueue({ userKey: userKey(other) })).toEqual([]);
  });
});

describe("follow-ups from the context the page keeps", () => {
  it("should answer «còn xã Phú Tân thì sao?» after a plan question with Phú Tân's plan", async () => {
    const s = sid();
    const first = await ask(s, PLAN, { commune: "cong-hoa" });
    expect(first.status).toBe(200);
    expect(first.body.context).toMatchObject({ question: PLAN, commune: "cong-hoa" });
    const next = await ask(s, "còn xã Phú Tân thì sao?", { commune: "cong-hoa", context: first.body.context });
    expect(next.body.answer.commune).toBe("phu-tan");
    expect(next.body.answer.answer).toContain("Phú Tân");
    expect(next.body.answer.answer).toMatch(/70/);
  });

  it("should use the context the page sends even when the service remembers none (another session, or after a restart)", async () => {
    const first = await ask(sid(), PLAN);
    const next = await ask(sid(), "con xa phu tan thi sao", { context: first.body.context });
    expect(next.body.answer.commune).toBe("phu-tan");
    expect(next.body.answer.answer).toMatch(/70/);
  });

  it("should not treat a question as a follow-up when the context is missing, null or expired", async () => {
    const expired = { question: PLAN, commune: "cong-hoa", at: Date.now() - 31 * 60_000 };
    for (const extra of [{}, { context: null }, { context: expired }]) {
      const res = await ask(sid(), "còn xã Phú Tân thì sao?", extra);
      expect(res.body.answer.answer).not.toMatch(/70 Mb/);
    }
  });
});

describe("feedback", () => {
  it("should record 👍 and 👎 with the reason only when the resident consented, and count them in the statistics", async () => {
    const before = t.service.store.stats({ days: 1 }).feedback;
    const anonymous = sid();
    const a = await ask(anonymous, "vneid muc 2 dang ky o dau");
    expect(a.body.actions).toEqual({ feedback: true, staff: true });
    const up = await post("/api/web/feedback", { sessionId: anonymous, messageId: a.body.messageId, rating: "up" });
    expect(up.body).toEqual({ ok: true, reasonKept: false });
    const down = await post("/api/web/feedback", { sessionId: anonymous, messageId: a.body.messageId, rating: "down", reason: "chưa rõ giấy tờ" });
    expect(down.body).toEqual({ ok: true, reasonKept: false });
    expect(t.service.store.exportUser(userKey(anonymous))?.feedback).toMatchObject([{ rating: "down", reason: null }]);

    const consenting = sid();
    await post("/api/web/consent", { sessionId: consenting, granted: true });
    const b = await ask(consenting, "vneid muc 2 dang ky o dau");
    await post("/api/web/feedback", { sessionId: consenting, messageId: b.body.messageId, rating: "down" });
    const reason = await post("/api/web/feedback", { sessionId: consenting, messageId: b.body.messageId, rating: "down", reason: "chưa nói cần giấy tờ gì, gọi 0912345678" });
    expect(reason.body).toEqual({ ok: true, reasonKept: true });
    expect(t.service.store.exportUser(userKey(consenting))?.feedback).toMatchObject([{ rating: "down", reason: "chưa nói cần giấy tờ gì, gọi [số điện thoại đã ẩn]" }]);

    const after = t.service.store.stats({ days: 1 }).feedback;
    expect(after.down - before.down).toBe(2);
  });

  it("should offer no buttons under small talk, and no «Hỏi cán bộ xã» under a refusal", async () => {
    expect((await ask(sid(), "xin chao")).body.actions).toEqual({ feedback: false, staff: false });
    expect((await ask(sid(), "kết quả xổ số miền bắc hôm nay")).body.actions).toEqual({ feedback: true, staff: false });
  });
});

describe("consent and «Hỏi cán bộ xã»", () => {
  it("should store no question text without consent, and the text (masked) with it", async () => {
    const s = sid();
    const a = await ask(s, "vneid muc 2 dang ky o dau, so toi 0912345678");
    expect(a.body.consent).toBeNull();
    expect(t.service.store.getMessage(a.body.messageId)).toMatchObject({ channel: "web", question: null });
    const declined = await post<{ consent: { granted: boolean } }>("/api/web/consent", { sessionId: s, granted: false });
    expect(declined.body.consent.granted).toBe(false);
    const b = await ask(s, "vneid muc 2 dang ky o dau");
    expect(t.service.store.getMessage(b.body.messageId)?.question).toBeNull();
    await post("/api/web/consent", { sessionId: s, granted: true });
    const c = await ask(s, "vneid muc 2 dang ky o dau, so toi 0912345678");
    expect(c.body.consent).toBe(true);
    expect(t.service.store.getMessage(c.body.messageId)?.question).toBe("vneid muc 2 dang ky o dau, so toi [số điện thoại đã ẩn]");
  });

  it("should require consent before queueing for staff, then queue on channel web and deliver the staff answer to the page once", async () => {
    const s = sid();
    const a = await ask(s, "vneid muc 2 dang ky o dau");
    const refused = await post("/api/web/staff", { sessionId: s, messageId: a.body.messageId, text: "vneid muc 2 dang ky o dau" });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe("CONSENT_REQUIRED");
    expect(t.service.store.listQueue({ userKey: userKey(s) })).toEqual([]);

    await post("/api/web/consent", { sessionId: s, granted: true });
    const queued = await post<{ queued: { id: number }; message: string }>("/api/web/staff", { sessionId: s, messageId: a.body.messageId, text: "vneid muc 2 dang ky o dau" });
    expect(queued.status).toBe(200);
    expect(queued.body.message).toBe(STAFF_QUEUED);
    const again = await post<{ queued: { id: number } }>("/api/web/staff", { sessionId: s, messageId: a.body.messageId, text: "vneid muc 2 dang ky o dau" });
    expect(again.body.queued.id).toBe(queued.body.queued.id);
    const item = t.service.store.getQueueItem(queued.body.queued.id);
    expect(item).toMatchObject({ channel: "web", reason: "requested", question: "vneid muc 2 dang ky o dau", messageId: a.body.messageId, deliveryAddress: s, status: "open" });

    const waiting = await post<{ answers: unknown[]; waiting: number }>("/api/web/inbox", { sessionId: s });
    expect(waiting.body).toMatchObject({ answers: [], waiting: 1, consent: true });

    // The page is not reachable when staff answer: the answer waits for the page's next request.
    const { delivered } = await t.service.assistant.answerQueued(item!.id, "Bà con mang căn cước đến công an xã, gọi 0912345678.", "can-bo-a");
    expect(delivered).toBe(false);
    const inbox = await post<{ answers: Array<{ text: string }>; waiting: number }>("/api/web/inbox", { sessionId: s });
    expect(inbox.body.waiting).toBe(0);
    expect(inbox.body.answers).toHaveLength(1);
    // The staff member's own words, as written (the stored copy is masked).
    expect(inbox.body.answers[0]!.text).toContain("«vneid muc 2 dang ky o dau»");
    expect(inbox.body.answers[0]!.text).toContain("gọi 0912345678");
    expect(t.service.store.getQueueItem(item!.id)).toMatchObject({ delivered: true, deliveryAddress: null });
    expect((await post<{ answers: unknown[] }>("/api/web/inbox", { sessionId: s })).body.answers).toEqual([]);
  });

  it("should queue an unanswerable question by itself when the resident consented", async () => {
    const s = sid();
    await post("/api/web/consent", { sessionId: s, granted: true });
    const a = await ask(s, UNANSWERED);
    expect(a.body.answer.kind).toBe("handoff");
    expect(a.body.queued).not.toBeNull();
    expect(a.body.actions.staff).toBe(false);
    expect(t.service.store.getQueueItem(a.body.queued!.id)).toMatchObject({ channel: "web", reason: "unanswered", question: UNANSWERED });
  });

  it("should create nothing when an unknown session checks its inbox", async () => {
    const s = sid();
    expect((await post("/api/web/inbox", { sessionId: s })).body).toEqual({ answers: [], waiting: 0, consent: null });
    expect(t.service.store.getUser(userKey(s))).toBeUndefined();
  });

  it("should show the resident their data, and delete it", async () => {
    const s = sid();
    await post("/api/web/consent", { sessionId: s, granted: true });
    await ask(s, "vneid muc 2 dang ky o dau");
    const mine = await post<{ text: string }>("/api/web/my-data", { sessionId: s });
    expect(mine.body.text).toContain("«vneid muc 2 dang ky o dau»");
    expect(mine.body.text).toContain(WEB_DELETE_HOW);
    const gone = await post<{ removed: number }>("/api/web/forget", { sessionId: s });
    expect(gone.body.removed).toBeGreaterThan(0);
    expect(t.service.store.getUser(userKey(s))).toBeUndefined();
  });

  it("should count consented web questions in the statistics with their text", async () => {
    const s = sid();
    await post("/api/web/consent", { sessionId: s, granted: true });
    await ask(s, "xã có wifi miễn phí ở nhà văn hóa không");
    const stats = t.service.store.stats({ days: 1, top: 50 });
    expect(stats.topQuestions.map((q) => q.question)).toContain("xã có wifi miễn phí ở nhà văn hóa không");
  });
});

describe("rate limits", () => {
  it("should limit questions per session (429 RATE_LIMITED)", async () => {
    const s = sid();
    const codes: number[] = [];
    for (let i = 0; i < 9; i++) codes.push((await ask(s, "vneid", {})).status);
    expect(codes.slice(0, 8)).toEqual(Array(8).fill(200));
    expect(codes[8]).toBe(429);
    const other = await ask(sid(), "vneid");
    expect(other.status).toBe(200);
  });

  it("should limit questions sent to staff per session", async () => {
    const s = sid();
    await post("/api/web/consent", { sessionId: s, granted: true });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await post("/api/web/staff", { sessionId: s, text: `câu hỏi số ${i + 1} cho cán bộ` })).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect(t.service.store.listQueue({ userKey: userKey(s) })).toHaveLength(5);
  });

  it("should limit requests per client address and minute (API_RATE_LIMIT_PER_MINUTE), with Retry-After", async () => {
    const from = "203.0.113.9";
    const statuses: number[] = [];
    let last: Res | null = null;
    for (let i = 0; i < 61; i++) {
      last = await post("/api/web/inbox", { sessionId: sid() }, from);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(last?.status).toBe(429);
    expect(errorCode(last!)).toBe("RATE_LIMITED");
    expect(last?.headers.get("retry-after")).toBeTruthy();
    // Another address is not affected.
    expect((await post("/api/web/inbox", { sessionId: sid() }, "203.0.113.10")).status).toBe(200);
  });
});

describe("POST /api/ask", () => {
  it("should answer as before, without the web channel's fields", async () => {
    const res = await post("/api/ask", { question: "vneid muc 2 dang ky o dau" });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["answer", "commune", "confidence", "kind", "lang", "ms", "sources"]);
  });
});
