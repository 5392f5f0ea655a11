/**
 * Acceptance (issue 15): a menu entry added and the consent wording changed in ONE place — the
 * dialogue's options, which the composition root fills with the defaults — show on all three
 * channels: Telegram (buttons and text the fake Bot API received), Zalo (numbered lines the fake
 * Zalo API delivered) and the web page (GET /api/chat/menu and POST /api/chat). Real engine,
 * store, bot, Zalo channel and HTTP server on loopback.
 */
import { createWebMailbox } from "../../../src/channels/web/mailbox.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramBot, type TelegramBot } from "../../../src/channels/telegram/bot.js";
import { dialogueRoutes } from "../../../src/channels/web/dialogue-routes.js";
import { createZaloChannel, type ZaloChannel } from "../../../src/channels/zalo/channel.js";
import { DIALOGUE_TEXTS, MENU, type DialogueTexts, type MenuEntry, type Reply } from "../../../src/core/dialogue/index.js";
import type { Store } from "../../../src/core/store.js";
import type { Engine } from "../../../src/app/engine.js";
import { createLogger } from "../../../src/logger.js";
import { createHttpServer } from "../../../src/server/http.js";
import { openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { testDialogue } from "../../helpers/dialogue.js";
import { testEngine } from "../../helpers/engine.js";
import { APP_ID, OA_SECRET, postSignedZalo, startFakeZalo, zaloTextEvent, type FakeZalo } from "../../helpers/fake-zalo.js";
import { BOT_INFO, startFakeBotApi, type FakeBotApi } from "../../helpers/telegram.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const WORDING = "Bà con có cho phép trợ lý ghi lại câu hỏi để cán bộ xã xem không? Không cho phép vẫn được trả lời.";
const ENTRY: MenuEntry = { id: "vneid", label: "Hướng dẫn tài khoản VNeID", short: "VNeID", action: { kind: "ask", question: "Đăng ký tài khoản VNeID mức 2 ở đâu?" } };

/** The one place: the options every channel's dialogue is built with. */
const texts: DialogueTexts = { ...DIALOGUE_TEXTS, consentQuestion: WORDING };
const menu: readonly MenuEntry[] = [...MENU, ENTRY];

let engine: Engine;
let cleanupEngine: () => Promise<void>;
let dataDir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
let telegram: TelegramBot;
let zalo: ZaloChannel;
let botApi: FakeBotApi;
let fakeZalo: FakeZalo;

beforeAll(async () => {
  ({ engine, cleanup: cleanupEngine } = await testEngine());
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-one-place-"));
  store = openSqliteStore({ dataDir, secret: "one-place-test-secret-0123456789" });
  const { assistant, dialogue } = testDialogue(engine, store, { texts, menu, delivery: { telegram: {}, zalo: {}, web: { waitMs: 0 } } });
  const logger = createLogger("silent");
  botApi = await startFakeBotApi(TOKEN);
  fakeZalo = await startFakeZalo({ access: ["one-place-access"] });
  app = await createHttpServer({ engine, logger });
  telegram = createTelegramBot({ token: TOKEN, dialogue, store, logger, apiRoot: botApi.apiRoot, botInfo: BOT_INFO, autoRetry: false, join: false });
  zalo = createZaloChannel({
    appId: APP_ID,
    oaSecretKey: OA_SECRET,
    accessToken: "one-place-access",
    apiBaseUrl: fakeZalo.url,
    oauthBaseUrl: fakeZalo.url,
    maxEventAgeMs: 60_000,
    freeWindowHours: 48,
    dialogue,
    assistant,
    store,
    logger,
  });
  await zalo.register(app);
  await app.register(dialogueRoutes, { dialogue, mailbox: createWebMailbox(store, logger), assistant, logger });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  await zalo?.close(1000);
  await app?.close();
  store?.close();
  await botApi?.close();
  await fakeZalo?.close();
  await rm(dataDir, { recursive: true, force: true });
  await cleanupEngine?.();
});

let updateId = 0;
const RESIDENT = { id: 5151, is_bot: false, first_name: "Bà Tư" };
const telegramUpdate = (fields: Record<string, unknown>): Update => ({ update_id: ++updateId, ...fields }) as unknown as Update;
const command = (text: string) =>
  telegramUpdate({ message: { message_id: updateId, date: 0, chat: { id: RESIDENT.id, type: "private" }, from: RESIDENT, text, entities: [{ type: "bot_command", offset: 0, length: text.length }] } });
const tap = (data: string) => telegramUpdate({ callback_query: { id: `cb${updateId}`, from: RESIDENT, chat_instance: "ci", data, message: { message_id: 1, date: 0, chat: { id: RESIDENT.id, type: "private" }, text: "…" } } });
type Button = { text: string; callback_data: string };
const buttonsOf = (body: Record<string, unknown> | undefined): Button[] => ((body?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();

async function zaloSays(userId: string, text: string | null): Promise<string[]> {
  const before = fakeZalo.textsTo(userId).length;
  const raw =
    text === null
      ? JSON.stringify({ app_id: APP_ID, oa_id: "579745863508352884", event_name: "follow", timestamp: String(Date.now()), follower: { id: userId } })
      : zaloTextEvent(userId, text, `one-place-${userId}-${before}-${text}`);
  expect((await postSignedZalo(base, raw)).status).toBe(200);
  await zalo.idle();
  return fakeZalo.textsTo(userId).slice(before);
}

async function webPost(body: Record<string, unknown>): Promise<Reply[]> {
  const res = await fetch(`${base}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId: "one-place-session-0123456789", ...body }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: Reply[] }).replies;
}

describe("one menu entry and one consent wording, changed in one place", () => {
  it("should show both on Telegram: the consent text and the menu button, which answers", async () => {
    await telegram.bot.handleUpdate(command("/start"));
    const welcome = botApi.messages(RESIDENT.id).at(-1)?.body;
    expect(String(welcome?.text)).toContain(WORDING);
    expect(String(welcome?.text)).not.toContain(DIALOGUE_TEXTS.consentQuestion);
    await telegram.bot.handleUpdate(command("/menu"));
    const buttons = buttonsOf(botApi.messages(RESIDENT.id).at(-1)?.body);
    expect(buttons.map((b) => b.text)).toEqual(["Kỹ năng số", "Hỗ trợ điện thoại cho hộ nghèo", "Tắt sóng 2G", "Kế hoạch hạ tầng số của xã", "Hỏi cán bộ xã", "VNeID"]);
    await telegram.bot.handleUpdate(tap(buttons.at(-1)?.callback_data as string));
    const answer = String(botApi.messages(RESIDENT.id).at(-1)?.body.text);
    expect(answer).toContain("Công an xã");
    expect(answer).toContain("<b>Nguồn:</b>");
  });

  it("should show both on Zalo: the consent text and a numbered line, which answers when its number is typed", async () => {
    const welcome = (await zaloSays("7001", null)).join("\n");
    expect(welcome).toContain(WORDING);
    expect(welcome).toContain("Gõ 1 để đồng ý lưu câu hỏi");
    const list = (await zaloSays("7001", "menu")).join("\n");
    expect(list).toMatch(/\n8\. Hướng dẫn tài khoản VNeID$/m);
    const answer = (await zaloSays("7001", "8")).join("\n");
    expect(answer).toContain("Nguồn:");
    expect(answer).toMatch(/VNeID/);
  });

  it("should show both on the web page: GET /api/chat/menu and POST /api/chat", async () => {
    const res = await fetch(`${base}/api/chat/menu`);
    const body = (await res.json()) as { menu: Array<{ id: string; label: string }>; consent: { question: string } };
    expect(body.consent.question).toBe(WORDING);
    expect(body.menu.at(-1)).toEqual({ id: "menu:vneid", label: "Hướng dẫn tài khoản VNeID", short: "VNeID" });
    const opened = await webPost({});
    expect(opened.map((r) => r.text).join("\n")).toContain(WORDING);
    const menuReply = (await webPost({ text: "menu" }))[0];
    expect(menuReply?.choices?.at(-1)).toMatchObject({ id: "menu:vneid", label: "Hướng dẫn tài khoản VNeID" });
    const [answer] = await webPost({ choice: "menu:vneid" });
    expect(answer?.sources?.length).toBeGreaterThan(0);
  });
});
