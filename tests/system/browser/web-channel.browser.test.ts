/**
 * The residents' web page as a full channel, in a real browser (Debian's Chromium, playwright-core)
 * against the service on 127.0.0.1, on a 360 px wide phone screen: the commune picker (current
 * names over the old ones, searched without diacritics), a follow-up answered from the context the
 * page keeps, 👍/👎 with a reason, "Hỏi cán bộ xã" after the consent notice; then the officials'
 * console (signed in through its form) shows the web question, its answer reaches the page (while
 * open, and after coming back in the same browser session), and the statistics count the web
 * questions. Run with `npm run test:browser`. Screenshots go to tests/artifacts/.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSENT_LABELS } from "../../../src/core/privacy/notice.js";
import { DIALOGUE_TEXTS } from "../../../src/core/dialogue/texts.js";
const STAFF_QUEUED = DIALOGUE_TEXTS.answerQueuedNote;
import { REPO_ROOT } from "../../helpers/engine.js";
import { ADMIN_PASSWORD, startConsoleService, type ConsoleTestService } from "../../channels/web/console/helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "tests", "artifacts");
const PLAN = "xa cong hoa ke hoach toc do bang rong di dong bao nhieu";
const FOR_STAFF = "Bao giờ thôn Đông có lớp hướng dẫn dùng điện thoại cho người cao tuổi?";
const TYPED_FOR_STAFF = "Nhà văn hóa thôn Đông có wifi cho bà con dùng buổi tối không?";
const AFTER_CONSENT = "vneid muc 2 dang ky o dau";

let t: ConsoleTestService;
let browser: Browser;
let page: Page;
let staff: Page;
const problems: string[] = [];

function watch(p: Page) {
  p.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  p.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  p.on("request", (req) => {
    if (!req.url().startsWith(t.base) && !req.url().startsWith("about:")) problems.push(`external request: ${req.url()}`);
  });
}

const answers = () => page.locator(".msg.bot:not(.wait)");

/** Types a question, sends it with Enter, and waits for the assistant's new reply. */
async function ask(question: string): Promise<Locator> {
  const before = await answers().count();
  await page.fill("#q", question);
  await page.press("#q", "Enter");
  await expect.poll(() => answers().count(), { timeout: 15_000 }).toBe(before + 1);
  return answers().last();
}

const focused = () => page.evaluate<string>("(() => { const a = document.activeElement; return a ? (a.id || a.className || a.tagName) + '|' + (a.textContent || '').trim().slice(0, 40) : '' })()");

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  t = await startConsoleService();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN", isMobile: true, hasTouch: true })).newPage();
  staff = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" })).newPage();
  watch(page);
  watch(staff);
  await page.goto(`${t.base}/`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("the web page as a channel, in Chromium at 360 px", () => {
  it("should reach the picker, the office and the suggestions in order with the keyboard", async () => {
    await page.locator("#office summary").waitFor();
    await page.keyboard.press("Tab");
    expect(await focused()).toMatch(/^skip\|/);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      order.push((await focused()).split("|")[0] ?? "");
    }
    expect(order.slice(0, 2)).toEqual(["commune-find", "commune"]);
    expect(order[2]).toBe("SUMMARY");
    expect(order[3]).toBe("chip");
  });

  it("should show the dialogue's menu (the same entries as Telegram and Zalo) and answer a chosen entry with its own choices", async () => {
    const menu = (await (await fetch(`${t.base}/api/chat/menu`)).json()) as { menu: Array<{ id: string; label: string }> };
    await page.locator("#menu button[data-choice]").first().waitFor();
    const shown = await page.locator("#menu button[data-choice]").evaluateAll((bs) => bs.map((b) => [b.getAttribute("data-choice"), b.textContent]));
    expect(shown).toEqual(menu.menu.map((m) => [m.id, m.label]));
    const before = await page.locator(".msg.bot").count();
    await page.locator('#menu button[data-choice="menu:skills"]').click();
    await expect.poll(() => page.locator(".msg.bot").count(), { timeout: 15_000 }).toBeGreaterThan(before);
    const reply = page.locator(".msg.bot").last();
    // The skills entry offers example questions as buttons; choosing one answers it.
    const choices = reply.locator("button.act");
    expect(await choices.count()).toBeGreaterThan(1);
    const count = await page.locator(".msg.bot").count();
    await choices.first().click();
    await expect.poll(() => page.locator(".msg.bot").count(), { timeout: 15_000 }).toBeGreaterThan(count);
  });

  it("should offer the communes under their current names with the old names, default to the configured one, and search without diacritics", async () => {
    await page.locator("#place").waitFor();
    expect(await page.inputValue("#commune")).toBe("cong-hoa");
    expect(await page.locator("#commune option", { hasText: "Mặc định" }).count()).toBe(0);
    const groups = await page.locator("#commune optgroup").evaluateAll((gs) => gs.map((g) => g.getAttribute("label")));
    expect(groups).toEqual(["Xã Minh Tân, tỉnh Ninh Bình", "Xã Tân Phú Đông, tỉnh Đồng Tháp"]);
    expect(await page.locator("#commune option[value=cong-hoa]").textContent()).toBe("Xã Minh Tân (xã Cộng Hòa cũ)");
    // The office: only what the knowledge holds, and whom to ask for the rest.
    const office = page.locator("#office");
    expect(await office.locator("summary").textContent()).toBe("Liên hệ Ủy ban nhân dân xã Minh Tân");
    await office.locator("summary").click();
    expect(await office.textContent()).toContain("Trước đây: xã Cộng Hòa, huyện Vụ Bản, tỉnh Nam Định.");
    expect(await office.textContent()).toContain("Ban chỉ đạo chuyển đổi số xã");
    expect(await office.textContent()).toContain("chưa có địa chỉ trụ sở, số điện thoại và giờ làm việc");

    await page.fill("#commune-find", "tan phu dong");
    await expect.poll(() => page.inputValue("#commune")).toBe("phu-tan");
    expect(await page.locator("#commune option").count()).toBe(1);
    expect(await page.locator("#commune-found").textContent()).toContain("Tìm thấy 1 xã");
    expect(await office.locator("summary").textContent()).toBe("Liên hệ Ủy ban nhân dân xã Tân Phú Đông");
    await page.screenshot({ path: path.join(ARTIFACTS, "web-chon-xa.png"), fullPage: true });
    await page.fill("#commune-find", "");
    await page.selectOption("#commune", "cong-hoa");
    await office.locator("summary").click();
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBeLessThanOrEqual(1);
  });

  it("should answer «còn xã Phú Tân thì sao?» after a plan question with Phú Tân's plan", async () => {
    const first = await ask(PLAN);
    expect(await first.locator("p.text").first().textContent()).toMatch(/70 Mb/);
    const next = await ask("còn xã Phú Tân thì sao?");
    const text = (await next.locator("p.text").first().textContent()) ?? "";
    expect(text).toContain("Phú Tân");
    expect(text).toMatch(/70 Mb/);
    expect(await next.locator(".place").textContent()).toBe("Xã Phú Tân");
    // The context lives in the browser session, with a random session id.
    const kept = await page.evaluate<{ id: string | null; context: string | null }>("({ id: sessionStorage.getItem('troLySo.session'), context: sessionStorage.getItem('troLySo.context') })");
    expect(kept.id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(JSON.parse(kept.context ?? "null")).toMatchObject({ question: PLAN, commune: "phu-tan" });
  });

  it("should take 👍, then 👎 with an optional reason", async () => {
    const reply = answers().last();
    const up = reply.getByRole("button", { name: "👍 Có ích" });
    const down = reply.getByRole("button", { name: "👎 Chưa đúng ý" });
    await up.click();
    await expect.poll(() => up.getAttribute("aria-pressed")).toBe("true");
    expect(await reply.locator(".act-status").textContent()).toBe("Cảm ơn bà con đã đánh giá.");
    await down.click();
    const reason = reply.locator("form.reason textarea");
    await reason.waitFor();
    expect(await down.getAttribute("aria-pressed")).toBe("true");
    expect(await up.getAttribute("aria-pressed")).toBe("false");
    expect(await page.evaluate<string>("document.activeElement.tagName")).toBe("TEXTAREA");
    // Without consent the reason is not kept, and the page says so before it is typed.
    expect(await reply.locator("form.reason .hint-s").textContent()).toContain("chỉ được lưu khi bà con đồng ý");
    await reason.fill("chưa nói tốc độ hiện nay");
    await page.screenshot({ path: path.join(ARTIFACTS, "web-danh-gia.png"), fullPage: true });
    await reply.getByRole("button", { name: "Gửi ý kiến" }).click();
    await expect.poll(() => reply.locator(".act-status").textContent()).toContain("Đánh giá đã được ghi");
    expect(await reply.locator("form.reason").count()).toBe(0);
    const stats = t.service.store.stats({ days: 1 });
    expect(stats.feedback).toEqual({ up: 0, down: 1 });
  });

  it("should show the consent notice before «Hỏi cán bộ xã», then queue the question on channel web", async () => {
    const reply = await ask(FOR_STAFF);
    await reply.getByRole("button", { name: "Hỏi cán bộ xã" }).click();
    const card = page.locator(".msg.card").last();
    await card.waitFor();
    expect(await card.locator("h3").textContent()).toBe("Thông báo về dữ liệu cá nhân");
    expect(await focused()).toMatch(/^card-h\|Thông báo về dữ liệu cá nhân/);
    expect(await card.textContent()).toContain("Để chuyển câu hỏi cho cán bộ xã");
    expect(await card.textContent()).toContain("Xóa dữ liệu của tôi");
    expect(t.service.store.listQueue()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, "web-dong-y.png"), fullPage: true });
    await card.getByRole("button", { name: CONSENT_LABELS.agree }).click();
    await expect.poll(() => card.locator(".note").textContent()).toContain(STAFF_QUEUED);
    const [item] = t.service.store.listQueue({ status: "open" });
    expect(item).toMatchObject({ channel: "web", reason: "requested", question: FOR_STAFF });
    expect(await reply.getByRole("button", { name: "Hỏi cán bộ xã" }).count()).toBe(0);
  });

  it("should store the questions asked after consent, for the statistics", async () => {
    const reply = await ask(AFTER_CONSENT);
    expect(await reply.locator(".src li").count()).toBeGreaterThan(0);
  });

  it("should show the web question in the officials' queue, and bring the staff answer to the open page", async () => {
    await staff.goto(`${t.base}/console/dang-nhap`);
    await staff.fill("#username", "admin");
    await staff.fill("#password", ADMIN_PASSWORD);
    await Promise.all([staff.waitForURL((url) => url.pathname.startsWith("/console/") && url.pathname !== "/console/dang-nhap"), staff.click("button[type=submit]")]);
    await staff.goto(`${t.base}/console/cau-hoi-cho?kenh=web`);
    const item = staff.locator(".queue-item", { hasText: FOR_STAFF });
    await item.waitFor();
    expect(await item.locator(".badge", { hasText: "Trang web" }).count()).toBe(1);
    await staff.screenshot({ path: path.join(ARTIFACTS, "web-cau-hoi-cho.png"), fullPage: true });
    await item.locator("textarea[name=answer]").fill("Dạ, thôn Đông mở lớp sáng thứ Bảy tại nhà văn hóa thôn.");
    await Promise.all([staff.waitForURL(/\/console\/cau-hoi-cho/), item.locator("button", { hasText: "Gửi trả lời" }).click()]);
    // The page, still open, asks for it within its polling interval.
    const answer = page.locator(".msg.staff", { hasText: "thôn Đông mở lớp sáng thứ Bảy" });
    await answer.waitFor({ timeout: 20_000 });
    expect(await answer.textContent()).toContain(`«${FOR_STAFF}»`);
    await expect.poll(() => t.service.store.listQueue({ status: "answered" })[0]?.delivered).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "web-can-bo-tra-loi.png"), fullPage: true });
  });

  it("should send a typed question to staff, and show the answer when the resident comes back in the same browser session", async () => {
    await page.click("#staff-open");
    const card = page.locator(".msg.card").last();
    const box = card.getByLabel("Câu hỏi bà con muốn gửi cán bộ xã");
    expect(await page.evaluate<string>("document.activeElement.tagName")).toBe("TEXTAREA");
    await box.fill(TYPED_FOR_STAFF);
    await card.getByRole("button", { name: "Gửi cho cán bộ xã" }).click();
    await expect.poll(() => card.locator(".note").textContent()).toContain(STAFF_QUEUED);
    const item = t.service.store.listQueue({ status: "open" }).find((i) => i.question === TYPED_FOR_STAFF);
    expect(item?.channel).toBe("web");
    // Still 360 px wide with cards, forms and answers on the page.
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBeLessThanOrEqual(1);

    await page.goto("about:blank");
    await t.service.assistant.answerQueued(item!.id, "Dạ, có wifi đến 21 giờ.", "admin");
    await page.goto(`${t.base}/`);
    await page.locator(".msg.staff", { hasText: "có wifi đến 21 giờ" }).waitFor({ timeout: 15_000 });
  });

  it("should count the web questions and ratings in the officials' statistics", async () => {
    await staff.goto(`${t.base}/console/thong-ke`);
    const top = staff.locator("section[aria-labelledby=top-h]");
    expect(await top.textContent()).toContain(AFTER_CONSENT);
    const rows = staff.locator("section[aria-labelledby=low-h] tbody tr", { hasText: "Trang web" });
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await staff.locator("section[aria-labelledby=fb-h]").textContent()).toContain("1 lượt đánh giá");
    const web = t.service.store.stats({ days: 1 });
    // Four typed questions and the example question chosen from the menu.
    expect(web.perDay.reduce((s, d) => s + d.questions, 0)).toBe(5);
    await staff.screenshot({ path: path.join(ARTIFACTS, "web-thong-ke.png"), fullPage: true });
  });

  it("should have reported no errors and loaded nothing from elsewhere", () => {
    expect(problems).toEqual([]);
  });
});
