/**
 * The officials' console in a real browser: Debian's Chromium driven by playwright-core against
 * the service on 127.0.0.1. Run with `npm run test:browser` (not part of `npm test`). Screenshots
 * of each page go to tests/artifacts/. CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTICE_VERSION } from "../../../src/core/privacy/notice.js";
import { REPO_ROOT } from "../../helpers/engine.js";
import { ADMIN_PASSWORD, startConsoleService, type ConsoleTestService } from "../../channels/web/console/helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "tests", "artifacts");
const QUEUED = "Bao giờ xã mở lớp hướng dẫn dùng điện thoại thông minh cho người cao tuổi?";

let t: ConsoleTestService;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Problems the browser reported: console errors (CSP violations among them) and requests leaving 127.0.0.1. */
const problems: string[] = [];

async function shot(name: string, target: Page = page, fullPage = true) {
  await target.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage });
}

function watch(p: Page) {
  p.on("console", (msg) => {
    // The sign-in page answers a wrong password with 401, which Chromium reports; nothing else may.
    if (msg.type() === "error" && !msg.text().includes("status of 401")) problems.push(`console: ${msg.text()}`);
  });
  p.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  p.on("request", (req) => {
    if (!req.url().startsWith(t.base)) problems.push(`external request: ${req.url()}`);
  });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  t = await startConsoleService();
  const { store, engine } = t.service;
  // A question waiting for staff, and some traffic for the statistics page.
  const resident = store.ensureUser("web", "browser-resident");
  store.setConsent(resident.key, true, NOTICE_VERSION);
  store.enqueue({ userKey: resident.key, channel: "web", question: QUEUED, reason: "requested" });
  for (const question of ["vneid muc 2 dang ky o dau", "tắt sóng 2G máy cũ còn gọi được không", "hộ cận nghèo có được hỗ trợ điện thoại không", "vneid muc 2 dang ky o dau"]) {
    const result = await engine.answer({ question });
    const message = store.recordMessage({ userKey: resident.key, channel: "web", question, kind: result.kind, confidence: result.confidence, commune: result.commune, sources: result.sources.map((s) => s.id), latencyMs: 2 });
    store.recordFeedback({ messageId: message.id, userKey: resident.key, rating: "up" });
  }

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives each launch a fresh temporary profile (its own --user-data-dir).
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: "vi-VN" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.base });
  page = await context.newPage();
  watch(page);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("console in Chromium", () => {
  it("should send a visitor without a session to the sign-in page", async () => {
    await page.goto(`${t.base}/console/thong-ke`);
    expect(new URL(page.url()).pathname).toBe("/console/dang-nhap");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Đăng nhập");
    expect(await page.evaluate<string | undefined>("document.activeElement?.id")).toBe("username");
    await shot("dang-nhap");
  });

  it("should refuse a wrong password, then sign in with the right one", async () => {
    await page.fill("#username", "admin");
    await page.fill("#password", "khong-dung-mat-khau");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator(".flash-error").textContent()).toContain("Tên đăng nhập hoặc mật khẩu không đúng.");
    await shot("dang-nhap-sai");

    await page.fill("#password", ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${t.base}/console/thong-ke`), page.click("button[type=submit]")]);
    expect(await page.locator(".who strong").textContent()).toBe("admin");
    // Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string | undefined>("document.activeElement?.className")).toBe("skip");
    await page.keyboard.press("Enter");
    expect(await page.evaluate<string | undefined>("document.activeElement?.id")).toBe("main");
    const cookie = (await context.cookies()).find((c) => c.name === "tlsx_console");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.path).toBe("/console");
  });

  it("should answer a question with its kind, confidence and sources, and copy it", async () => {
    await page.click('nav a[href="/console/hoi-dap"]');
    await page.selectOption("#commune", "phu-tan");
    await page.fill("#question", "ke hoach toc do bang rong di dong bao nhieu");
    await Promise.all([page.waitForURL(`${t.base}/console/hoi-dap`), page.click("form[action='/console/hoi-dap'] button[type=submit]")]);
    await page.locator("#answer").waitFor();
    expect(await page.locator("[data-kind]").getAttribute("data-kind")).toMatch(/^(faq|extractive)$/);
    expect(await page.locator("[data-confidence]").textContent()).toMatch(/^\d+%$/);
    expect(await page.locator(".sources li").count()).toBeGreaterThan(0);
    expect(await page.locator("#answer").textContent()).toContain("Phú Tân");
    await page.click("[data-copy=answer-copy]");
    await expect.poll(() => page.locator("#answer .copy-status").textContent()).toBe("Đã chép vào bộ nhớ tạm.");
    expect(await page.evaluate<string>("navigator.clipboard.readText()")).toContain("Nguồn:");
    await shot("hoi-dap");
  });

  it("should draft a 3-minute broadcast and download it as .docx", async () => {
    await page.click('nav a[href="/console/ban-tin"]');
    await page.fill("#topic", "tắt sóng 2G");
    await page.selectOption("#minutes", "3");
    await Promise.all([page.waitForURL(`${t.base}/console/ban-tin`), page.click("form[action='/console/ban-tin'] button[type=submit]")]);
    await page.locator("#script").waitFor();
    const seconds = Number(await page.locator("[data-estimated-seconds]").getAttribute("data-estimated-seconds"));
    expect(seconds).toBeGreaterThan(150);
    expect(seconds).toBeLessThan(210);
    expect(await page.locator("#script .sources li").count()).toBeGreaterThan(0);
    await shot("ban-tin");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Tải về .docx")]);
    expect(download.suggestedFilename()).toBe("ban-tin-tat-song-2g-3-phut.docx");
    const file = await download.path();
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
  });

  it("should answer a queued question and see it leave the queue", async () => {
    await page.click('nav a[href="/console/cau-hoi-cho"]');
    const item = page.locator(".queue-item", { hasText: QUEUED });
    await item.waitFor();
    await shot("cau-hoi-cho");
    await item.locator("textarea[name=answer]").fill("Dạ, xã mở lớp vào sáng thứ Bảy hằng tuần tại nhà văn hóa thôn.");
    await Promise.all([page.waitForURL(/\/console\/cau-hoi-cho/), item.locator("button", { hasText: "Gửi trả lời" }).click()]);
    await expect.poll(() => page.locator(".flash").first().textContent()).toMatch(/đã lưu câu trả lời nhưng chưa gửi được|đã gửi câu trả lời/);
    expect(await page.locator(".queue-item", { hasText: QUEUED }).count()).toBe(0);
    await shot("cau-hoi-cho-da-tra-loi");
    const stored = t.service.store.listQueue({ status: "answered" }).find((i) => i.question === QUEUED);
    expect(stored?.answeredBy).toBe("admin");
  });

  it("should show the statistics with an SVG bar chart", async () => {
    await page.click('nav a[href="/console/thong-ke"]');
    const bars = page.locator("svg#chart-per-day rect.bar");
    expect(await bars.count()).toBeGreaterThan(0);
    const tallest = await bars.evaluateAll((rects) => Math.max(...rects.map((r) => Number(r.getAttribute("height")))));
    expect(tallest).toBeGreaterThan(0);
    expect(await page.locator("svg#chart-topics rect.bar").count()).toBeGreaterThan(0);
    await shot("thong-ke");
  });

  it("should list the knowledge and re-index with progress", async () => {
    await page.click('nav a[href="/console/tri-thuc"]');
    expect(await page.locator("tr[data-doc]").count()).toBe(t.service.engine.knowledge.docs.length);
    await page.click("#reindex-button");
    await expect.poll(() => page.locator("#reindex-status").getAttribute("data-state"), { timeout: 30_000 }).toBe("done");
    expect(await page.locator("#reindex-status").textContent()).toContain("Đã lập lại chỉ mục");
    // The document list is long: the visible part is enough.
    await shot("tri-thuc", page, false);
  });

  it("should be readable on a phone", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await context.storageState() });
    const p = await phone.newPage();
    watch(p);
    await p.goto(`${t.base}/console/cau-hoi-cho?trang-thai=tat-ca`);
    const overflow = await p.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBeLessThanOrEqual(1);
    await shot("dien-thoai", p);
    await phone.close();
  });

  it("should sign out, after which the console needs a new sign-in", async () => {
    await Promise.all([page.waitForURL(/\/console\/dang-nhap/), page.click(".signout button")]);
    expect(await page.locator(".flash-ok").textContent()).toContain("đã đăng xuất");
    await page.goto(`${t.base}/console/hoi-dap`);
    expect(new URL(page.url()).pathname).toBe("/console/dang-nhap");
  });

  it("should have loaded nothing from elsewhere and broken no content-security rule", () => {
    expect(problems).toEqual([]);
  });
});
