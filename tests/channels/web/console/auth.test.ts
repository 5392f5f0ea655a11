/**
 * Console access over real HTTP: no route without a session, CSRF on every state change, the
 * session cookie's attributes, sign-in and sign-out, disabled accounts and password changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../../../src/core/auth/password.js";
import { ADMIN_PASSWORD, createClient, csrfOf, signIn, signedIn, startConsoleService, type ConsoleTestService } from "./helpers.js";

let t: ConsoleTestService;

beforeAll(async () => {
  t = await startConsoleService();
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** Every console route except the sign-in page and the static files. */
const PAGES: Array<[string, string]> = [
  ["GET", "/console"],
  ["GET", "/console/"],
  ["GET", "/console/hoi-dap"],
  ["POST", "/console/hoi-dap"],
  ["GET", "/console/ban-tin"],
  ["POST", "/console/ban-tin"],
  ["POST", "/console/ban-tin/tai-ve"],
  ["GET", "/console/cau-hoi-cho"],
  ["GET", "/console/cau-hoi-cho?trang-thai=answered&kenh=zalo"],
  ["POST", "/console/cau-hoi-cho/1/tra-loi"],
  ["POST", "/console/cau-hoi-cho/1/dong"],
  ["GET", "/console/thong-ke"],
  ["GET", "/console/tri-thuc"],
  ["POST", "/console/tri-thuc/lap-chi-muc"],
  ["POST", "/console/dang-xuat"],
  ["GET", "/console/khong-co-trang-nay"],
];
const API: Array<[string, string]> = [
  ["POST", "/console/api/ask"],
  ["POST", "/console/api/broadcast"],
  ["GET", "/console/api/queue"],
  ["POST", "/console/api/queue/1/answer"],
  ["POST", "/console/api/queue/1/close"],
  ["GET", "/console/api/stats"],
  ["GET", "/console/api/knowledge"],
  ["GET", "/console/api/reindex"],
  ["POST", "/console/api/reindex"],
  ["GET", "/console/api/khong-co"],
];

describe("console without a session", () => {
  it.each(PAGES)("should send %s %s to the sign-in page", async (method, route) => {
    const res = await fetch(t.base + route, { method, redirect: "manual", ...(method === "POST" ? { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "answer=x&question=y&topic=z&minutes=3" } : {}) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/console\/dang-nhap(\?|$)/);
  });

  it.each(API)("should answer %s %s with 401 JSON", async (method, route) => {
    const res = await fetch(t.base + route, { method, ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}) });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  it("should refuse a forged session cookie", async () => {
    const res = await fetch(`${t.base}/console/thong-ke`, { redirect: "manual", headers: { cookie: "tlsx_console=abc.def" } });
    expect(res.status).toBe(303);
  });

  it("should keep the sign-in page and static files public, and remember where the user was going", async () => {
    const res = await fetch(`${t.base}/console/thong-ke`, { redirect: "manual" });
    expect(res.headers.get("location")).toBe("/console/dang-nhap?next=%2Fconsole%2Fthong-ke");
    const page = await fetch(`${t.base}/console/dang-nhap`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<label for="password">Mật khẩu</label>');
    expect((await fetch(`${t.base}/console/static/console.css`)).status).toBe(200);
    expect((await fetch(`${t.base}/console/static/console.js`)).headers.get("content-type")).toContain("javascript");
  });

  it("should leave the resident chat page and API alone", async () => {
    expect((await fetch(`${t.base}/`)).status).toBe(200);
    const res = await fetch(`${t.base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "vneid muc 2 dang ky o dau" }) });
    expect(res.status).toBe(200);
    // The resident API still reads a form-encoded JSON body (curl -d), unlike console forms.
    const curlStyle = await fetch(`${t.base}/api/ask`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: JSON.stringify({ question: "vneid muc 2 dang ky o dau" }) });
    expect(curlStyle.status).toBe(200);
  });
});

describe("signing in", () => {
  it("should refuse a wrong password, then accept the right one with a HttpOnly SameSite cookie on /console", async () => {
    const client = createClient(t.base);
    const wrong = await signIn(client, "admin", "sai-mat-khau-roi");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Tên đăng nhập hoặc mật khẩu không đúng.");
    const unknown = await signIn(client, "khong-co-ai", ADMIN_PASSWORD);
    expect(unknown.status).toBe(401);

    const form = await client.get("/console/dang-nhap");
    const token = csrfOf(await form.text());
    const ok = await client.postForm("/console/dang-nhap", { _csrf: token, username: "Admin", password: ADMIN_PASSWORD });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/console/hoi-dap");
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith("tlsx_console=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=(Lax|Strict)/i);
    expect(cookie).toMatch(/Path=\/console/);
    // Loopback tests are plain http: Secure would stop the browser from sending it back.
    expect(cookie).not.toMatch(/Secure/i);

    const page = await client.get("/console/hoi-dap");
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await page.text()).toContain("Cán bộ: <strong>admin</strong>");
    expect(t.service.store.getStaffCredentials("admin")?.account.lastLoginAt).not.toBeNull();
  });

  it("should give a new session id at sign-in (no session fixation)", async () => {
    const client = createClient(t.base);
    await client.get("/console/dang-nhap");
    const before = client.cookies.get("tlsx_console");
    expect(before).toBeTruthy();
    const res = await signIn(client, "admin", ADMIN_PASSWORD);
    expect(res.status).toBe(303);
    expect(client.cookies.get("tlsx_console")).not.toBe(before);
    const planted = await fetch(`${t.base}/console/hoi-dap`, { redirect: "manual", headers: { cookie: `tlsx_console=${before}` } });
    expect(planted.status).toBe(303);
  });

  it("should go back to the requested page after sign-in, but never outside the console", async () => {
    const client = createClient(t.base);
    expect((await signIn(client, "admin", ADMIN_PASSWORD, "/console/thong-ke?ngay=7")).headers.get("location")).toBe("/console/thong-ke?ngay=7");
    for (const next of ["//evil.example/console", "https://evil.example/", "/console/../api/ask", "/consolex"]) {
      const c = createClient(t.base);
      expect((await signIn(c, "admin", ADMIN_PASSWORD, next)).headers.get("location")).toBe("/console/hoi-dap");
    }
  });

  it("should require the CSRF token on the sign-in form", async () => {
    const client = createClient(t.base);
    await client.get("/console/dang-nhap");
    const missing = await client.postForm("/console/dang-nhap", { username: "admin", password: ADMIN_PASSWORD });
    expect(missing.status).toBe(403);
    const wrong = await client.postForm("/console/dang-nhap", { _csrf: "gia-mao", username: "admin", password: ADMIN_PASSWORD });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain("Biểu mẫu đã hết hạn");
    // No cookie at all (a cross-site form): refused too.
    const bare = await fetch(`${t.base}/console/dang-nhap`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "username=admin&password=x" });
    expect(bare.status).toBe(403);
  });

  it("should end the session at sign-out, so the old cookie no longer works", async () => {
    const { client, csrf } = await signedIn(t.base);
    const cookie = `tlsx_console=${client.cookies.get("tlsx_console")}`;
    const out = await client.postForm("/console/dang-xuat", { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/console/dang-nhap?thong-bao=da-dang-xuat");
    const replay = await fetch(`${t.base}/console/hoi-dap`, { redirect: "manual", headers: { cookie } });
    expect(replay.status).toBe(303);
    expect(await (await client.get(out.headers.get("location") ?? "")).text()).toContain("Anh/chị đã đăng xuất.");
  });
});

describe("CSRF on state-changing requests", () => {
  it("should refuse form posts without or with a wrong token (403) and accept the right one", async () => {
    const { client, csrf } = await signedIn(t.base);
    for (const route of ["/console/hoi-dap", "/console/ban-tin", "/console/ban-tin/tai-ve", "/console/cau-hoi-cho/1/tra-loi", "/console/cau-hoi-cho/1/dong", "/console/tri-thuc/lap-chi-muc", "/console/dang-xuat"]) {
      const none = await client.postForm(route, { question: "vneid", topic: "2G", minutes: "3", answer: "x" });
      expect(none.status, route).toBe(403);
      const wrong = await client.postForm(route, { _csrf: `${csrf.slice(0, -2)}xx`, question: "vneid", topic: "2G", minutes: "3", answer: "x" });
      expect(wrong.status, route).toBe(403);
    }
    const ok = await client.postForm("/console/hoi-dap", { _csrf: csrf, question: "vneid muc 2 dang ky o dau" });
    expect(ok.status).toBe(200);
  });

  it("should refuse API posts without the x-csrf-token header (403 JSON)", async () => {
    const { client, csrf } = await signedIn(t.base);
    for (const route of ["/console/api/ask", "/console/api/broadcast", "/console/api/queue/1/answer", "/console/api/queue/1/close", "/console/api/reindex"]) {
      const none = await client.postJson(route, { question: "vneid" });
      expect(none.status, route).toBe(403);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe("CSRF_INVALID");
      const wrong = await client.postJson(route, { question: "vneid" }, { "x-csrf-token": "abc" });
      expect(wrong.status, route).toBe(403);
    }
    const ok = await client.postJson("/console/api/ask", { question: "vneid muc 2 dang ky o dau" }, { "x-csrf-token": csrf });
    expect(ok.status).toBe(200);
  });

  it("should not accept one session's token in another session", async () => {
    const a = await signedIn(t.base);
    const b = await signedIn(t.base);
    const res = await b.client.postJson("/console/api/ask", { question: "vneid" }, { "x-csrf-token": a.csrf });
    expect(res.status).toBe(403);
  });
});

describe("account changes while signed in", () => {
  it("should cut off a disabled account at its next request and refuse its sign-in", async () => {
    t.service.store.createStaff("lan", await hashPassword("mat-khau-cua-lan"));
    const { client } = await signedIn(t.base, "lan", "mat-khau-cua-lan");
    expect((await client.get("/console/thong-ke")).status).toBe(200);

    t.service.store.setStaffDisabled("lan", true);
    const page = await client.get("/console/thong-ke");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toContain("thong-bao=het-phien");
    expect((await client.get("/console/api/stats")).status).toBe(401);

    const again = await signIn(createClient(t.base), "lan", "mat-khau-cua-lan");
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("Tài khoản này đã bị khóa");

    t.service.store.setStaffDisabled("lan", false);
    expect((await signIn(createClient(t.base), "lan", "mat-khau-cua-lan")).status).toBe(303);
  });

  it("should end open sessions when the password changes", async () => {
    t.service.store.createStaff("hoa", await hashPassword("mat-khau-cu-1"));
    const { client } = await signedIn(t.base, "hoa", "mat-khau-cu-1");
    t.service.store.setStaffPassword("hoa", await hashPassword("mat-khau-moi-2"));
    expect((await client.get("/console/hoi-dap")).status).toBe(303);
    expect((await signIn(createClient(t.base), "hoa", "mat-khau-cu-1")).status).toBe(401);
    expect((await signIn(createClient(t.base), "hoa", "mat-khau-moi-2")).status).toBe(303);
  });
});
