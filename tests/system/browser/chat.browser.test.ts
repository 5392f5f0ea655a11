/**
 * The residents' web chat page in a real browser (Debian's Chromium, playwright-core) against the
 * service on 127.0.0.1: the three outcomes of an answer — an answer with its sources, "Có phải bà
 * con muốn hỏi…?" with a button per suggested question, small talk — and an English reply.
 * Run with `npm run test:browser`. Screenshots go to tests/artifacts/.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/engine.js";
import { startConsoleService, type ConsoleTestService } from "../../channels/web/console/helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "tests", "artifacts");

let t: ConsoleTestService;
let browser: Browser;
let page: Page;
const problems: string[] = [];

/** Types a question, sends it with Enter, and waits for the assistant's new reply. */
async function ask(question: string) {
  const before = await page.locator(".msg.bot:not(.wait)").count();
  await page.fill("#q", question);
  await page.press("#q", "Enter");
  await expect.poll(() => page.locator(".msg.bot:not(.wait)").count(), { timeout: 15_000 }).toBe(before + 1);
  return page.locator(".msg.bot:not(.wait)").last();
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  t = await startConsoleService();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  page = await (await browser.newContext({ viewport: { width: 420, height: 900 }, locale: "vi-VN" })).newPage();
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${t.base}/`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("the web chat page in Chromium", () => {
  it("should answer a resident's story with the answer first and its sources", async () => {
    const reply = await ask("dt cua ba la loai cuc gach 2g thi bay gio con goi dc ko chau");
    await expect.poll(() => reply.locator("p.text").first().textContent()).toMatch(/^Không\./);
    expect(await reply.locator(".src li").count()).toBeGreaterThan(0);
  });

  it("should offer «Có phải bà con muốn hỏi…?» as buttons, and answer the one clicked", async () => {
    const reply = await ask("đổi máy");
    const buttons = reply.locator(".sug button");
    expect(await buttons.count()).toBeGreaterThanOrEqual(2);
    expect(await reply.textContent()).toContain("Có phải bà con muốn hỏi");
    await page.screenshot({ path: path.join(ARTIFACTS, "chat-goi-y.png"), fullPage: true });
    const chosen = (await buttons.first().textContent()) ?? "";
    const before = await page.locator(".msg.bot:not(.wait)").count();
    await buttons.first().click();
    await expect.poll(() => page.locator(".msg.bot:not(.wait)").count(), { timeout: 15_000 }).toBe(before + 1);
    // The question clicked is shown as the resident's, and the answer that follows has sources.
    expect(await page.locator(".msg.user").last().textContent()).toContain(chosen);
    const answer = page.locator(".msg.bot:not(.wait)").last();
    expect(await answer.locator(".src li").count()).toBeGreaterThan(0);
    expect(await answer.locator(".sug button").count()).toBe(0);
  });

  it("should greet back, briefly, without sources", async () => {
    const reply = await ask("xin chao");
    expect(await reply.textContent()).toContain("Chào bà con");
    expect(await reply.locator(".src").count()).toBe(0);
  });

  it("should answer an English question in English", async () => {
    const reply = await ask("Is my old phone still working after the 2G shutdown?");
    expect(await reply.locator("p.text").first().textContent()).toMatch(/phone|2G/);
    expect(await reply.textContent()).toContain("Next:");
    await page.screenshot({ path: path.join(ARTIFACTS, "chat-english.png"), fullPage: true });
  });

  it("should have reported no errors in the browser", () => {
    expect(problems).toEqual([]);
  });
});
