/**
 * The signed-in pages over HTTP: what each shows, escaping of stored text, no inline script or
 * style (a strict CSP is coming), statistics as server-side SVG, re-index with a status endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTICE_VERSION } from "../../../../src/core/privacy/notice.js";
import { csrfOf, signedIn, startConsoleService, type Client, type ConsoleTestService } from "./helpers.js";

let t: ConsoleTestService;
let client: Client;
let csrf: string;

beforeAll(async () => {
  t = await startConsoleService();
  ({ client, csrf } = await signedIn(t.base));
  // Some traffic for the statistics: consenting web residents asking and rating.
  const { store } = t.service;
  for (const [i, question] of ["vneid muc 2 dang ky o dau", "tắt sóng 2G thì máy cũ có gọi được không", "kq xsmb hom nay", "vneid muc 2 dang ky o dau"].entries()) {
    const user = store.ensureUser("web", `resident-${i}`);
    store.setConsent(user.key, true, NOTICE_VERSION);
    const result = await t.service.engine.answer({ question });
    const message = store.recordMessage({ userKey: user.key, channel: "web", question, kind: result.kind, confidence: result.confidence, commune: result.commune, sources: result.sources.map((s) => s.id), latencyMs: 3 });
    store.recordFeedback({ messageId: message.id, userKey: user.key, rating: i % 2 ? "down" : "up" });
  }
  const user = store.ensureUser("telegram", "999");
  store.setConsent(user.key, true, NOTICE_VERSION);
  store.enqueue({ userKey: user.key, channel: "telegram", question: '<script>alert("x")</script> & <b>đậm</b>', reason: "requested", deliveryAddress: "999" });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const PAGES = ["/console/hoi-dap", "/console/ban-tin", "/console/cau-hoi-cho", "/console/thong-ke", "/console/tri-thuc", "/console/dang-nhap?x=1"];

describe("every console page", () => {
  it.each(PAGES)("should have no inline script, inline style or event handler: %s", async (route) => {
    const res = route.startsWith("/console/dang-nhap") ? await fetch(t.base + route) : await client.get(route);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // Links to sources are fine; nothing is loaded from elsewhere.
    expect(html).not.toMatch(/\ssrc="(https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]+href="(https?:)?\/\//i);
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('<a class="skip" href="#main">');
    expect(html).toContain('<main id="main"');
    expect(html).toContain('name="viewport"');
  });

  it("should mark the current page in the navigation and show the open queue count", async () => {
    const html = await (await client.get("/console/thong-ke")).text();
    expect(html).toContain('<a href="/console/thong-ke" aria-current="page">Thống kê</a>');
    expect(html).toMatch(/Câu hỏi chờ <span class="count"[^>]*>1<\/span>/);
  });
});

describe("Hỏi đáp", () => {
  it("should show the answer, its kind, confidence, commune and sources with a copy button", async () => {
    const res = await client.postForm("/console/hoi-dap", { _csrf: csrf, question: "xa phu tan bao cao ket qua truoc ngay nao", commune: "" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-kind="(faq|extractive)"/);
    expect(html).toMatch(/Độ tin cậy: <strong data-confidence="[0-9.]+">\d+%<\/strong>/);
    expect(html).toContain("Xã: Phú Tân");
    expect(html).toMatch(/<li data-doc="[a-z0-9-]+">/);
    expect(html).toContain('data-copy="answer-copy"');
    expect(html).toMatch(/<pre id="answer-copy" hidden>[\s\S]*Nguồn:/);
    // The question stays in the form for another try.
    expect(html).toContain(">xa phu tan bao cao ket qua truoc ngay nao</textarea>");
  });

  it("should answer for the commune chosen in the selector", async () => {
    const res = await client.postJson("/console/api/ask", { question: "ke hoach toc do bang rong di dong bao nhieu", commune: "cong-hoa" }, { "x-csrf-token": csrf });
    const body = (await res.json()) as { commune: string; sources: unknown[] };
    expect(body.commune).toBe("cong-hoa");
    expect(body.sources.length).toBeGreaterThan(0);
  });

  it("should refuse an empty question", async () => {
    const res = await client.postJson("/console/api/ask", { question: "   " }, { "x-csrf-token": csrf });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
    const page = await client.postForm("/console/hoi-dap", { _csrf: csrf, question: "" });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Thông tin gửi lên chưa đúng.");
  });
});

describe("Bản tin", () => {
  it("should draft a 3-minute script with its sources and estimated duration", async () => {
    const form = await (await client.get("/console/ban-tin")).text();
    expect(form).toContain('<datalist id="topic-suggestions">');
    const res = await client.postForm("/console/ban-tin", { _csrf: csrf, topic: "tắt sóng 2G", minutes: "3", commune: "phu-tan" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<h2 id="script-h">[^<]+<\/h2>/);
    expect(html).toMatch(/data-estimated-seconds="(1[5-9]\d|2[01]\d)"/);
    expect(html).toContain("Mục tiêu 3 phút");
    expect(html).toContain("Xã Phú Tân");
    expect(html).toMatch(/<li value="1" data-doc="[a-z0-9-]+">/);
    expect(html).toContain('<input type="hidden" name="format" value="docx">');
  });

  it("should download the script as .docx and .txt", async () => {
    const docx = await client.postForm("/console/ban-tin/tai-ve", { _csrf: csrf, topic: "tắt sóng 2G", minutes: "3", commune: "cong-hoa", format: "docx" });
    expect(docx.status).toBe(200);
    expect(docx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(docx.headers.get("content-disposition")).toBe('attachment; filename="ban-tin-tat-song-2g-3-phut.docx"');
    const bytes = Buffer.from(await docx.arrayBuffer());
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    const txt = await client.postForm("/console/ban-tin/tai-ve", { _csrf: csrf, topic: "tắt sóng 2G", minutes: "3", commune: "cong-hoa", format: "txt" });
    expect(txt.headers.get("content-type")).toContain("text/plain");
    expect(await txt.text()).toContain("KHÔNG ĐỌC");
  });

  it("should say so when the knowledge does not cover a topic", async () => {
    const res = await client.postForm("/console/ban-tin", { _csrf: csrf, topic: "giá vàng hôm nay", minutes: "3", commune: "cong-hoa" });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/class="flash flash-error" role="alert">[^<]+</);
    const api = await client.postJson("/console/api/broadcast", { topic: "giá vàng hôm nay", minutes: 3 }, { "x-csrf-token": csrf });
    expect(api.status).toBe(422);
    expect(((await api.json()) as { error: { code: string; reason: string } }).error).toMatchObject({ code: "BROADCAST_FAILED", reason: "topic_not_covered" });
    const ok = await client.postJson("/console/api/broadcast", { topic: "lừa đảo trực tuyến", minutes: 2 }, { "x-csrf-token": csrf });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { script: { targetSeconds: number } }).script.targetSeconds).toBe(120);
  });
});

describe("Câu hỏi chờ", () => {
  it("should escape residents' text", async () => {
    const html = await (await client.get("/console/cau-hoi-cho")).text();
    expect(html).not.toContain('<script>alert("x")</script>');
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;");
  });

  it("should filter by status and channel", async () => {
    expect(await (await client.get("/console/cau-hoi-cho?trang-thai=open&kenh=zalo")).text()).toContain("Không có câu hỏi nào theo bộ lọc này.");
    const all = await (await client.get("/console/cau-hoi-cho?trang-thai=tat-ca&kenh=telegram")).text();
    expect(all).toContain('data-status="open"');
    expect(all).toContain('<option value="tat-ca" selected>');
  });
});

describe("Thống kê", () => {
  it("should draw the charts as SVG with bars, and list top and weakest questions", async () => {
    const res = await client.get("/console/thong-ke?ngay=7");
    const html = await res.text();
    expect(html).toMatch(/<svg id="chart-per-day"[^>]*role="img"/);
    expect(html).toMatch(/<rect class="bar bar-primary" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[1-9][0-9.]*"/);
    expect(html).toContain('<svg id="chart-topics"');
    expect(html).toContain("Kỹ năng số");
    expect(html).toContain('<svg id="chart-share"');
    expect(html).toContain('<svg id="chart-feedback"');
    expect(html).toMatch(/👍 Hữu ích: <strong>2<\/strong>/);
    expect(html).toContain("vneid muc 2 dang ky o dau</td><td>2</td>");
    expect(html).toContain("7 ngày gần nhất</option>");
    expect(html).toContain("<details><summary>Xem bảng số liệu</summary>");
  });

  it("should give the same figures as JSON", async () => {
    const stats = (await (await client.get("/console/api/stats?days=7")).json()) as { days: number; perDay: unknown[]; feedback: { up: number; down: number } };
    expect(stats.days).toBe(7);
    expect(stats.perDay).toHaveLength(7);
    expect(stats.feedback).toEqual({ up: 2, down: 2 });
  });
});

describe("Tri thức", () => {
  it("should list the knowledge files with their as_of dates and sources", async () => {
    const html = await (await client.get("/console/tri-thuc")).text();
    const docs = t.service.engine.knowledge.docs;
    for (const doc of docs) expect(html).toContain(`data-doc="${doc.meta.id}"`);
    const plan = docs.find((d) => d.path.startsWith("plans/"));
    expect(html).toContain(plan?.path);
    expect(html).toMatch(/<td>\d{2}\/\d{2}\/\d{4}<\/td>/);
    expect(html).toMatch(/<a href="https:\/\/[^"]+" rel="noopener noreferrer" target="_blank">/);
    expect(html).toContain('id="reindex-form"');
    const api = (await (await client.get("/console/api/knowledge")).json()) as { documents: Array<{ asOf: string }> };
    expect(api.documents).toHaveLength(docs.length);
    expect(api.documents.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.asOf))).toBe(true);
  });

  it("should re-index on request and report progress until done", async () => {
    const started = await client.postJson("/console/api/reindex", {}, { "x-csrf-token": csrf });
    expect(started.status).toBe(202);
    expect(((await started.json()) as { state: string }).state).toMatch(/running|done/);
    let status: { state: string; result: { documents: number } | null; message: string } = { state: "running", result: null, message: "" };
    for (let i = 0; i < 100 && status.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await client.get("/console/api/reindex")).json()) as typeof status;
    }
    expect(status.state).toBe("done");
    expect(status.result?.documents).toBe(t.service.engine.knowledge.docs.length);
    expect(status.message).toContain("Đã lập lại chỉ mục");
    // The form route (no JavaScript) starts it too and comes back to the page.
    const page = await client.get("/console/tri-thuc");
    const form = await client.postForm("/console/tri-thuc/lap-chi-muc", { _csrf: csrfOf(await page.text()) });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/console/tri-thuc");
  });
});
