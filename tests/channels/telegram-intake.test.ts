/**
 * How Telegram updates come in, with the real grammY bot talking to a loopback server that plays
 * the Bot API: quick messages joined into one question, the rate limit (a refused tap is still
 * acknowledged), a redelivered update answered once (also after a restart), and the privacy
 * notice kept out of groups and offered again after a deletion.
 */
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Update } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTelegramBot, type TelegramBot, type TelegramBotOptions } from "../../src/channels/telegram/bot.js";
import type { Store } from "../../src/core/store.js";
import type { Engine } from "../../src/app/engine.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_FILE, openSqliteStore } from "../../src/storage/sqlite-store.js";
import { testDialogue } from "../helpers/dialogue.js";
import { testEngine } from "../helpers/engine.js";
import { BOT_INFO, startFakeBotApi, type BotApiCall, type FakeBotApi } from "../helpers/telegram.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const SECRET = "test-secret-for-telegram-intake-0123";
const RESIDENT = { id: 1001, is_bot: false as const, first_name: "Bà Tư" };
/** Someone who never opened a private chat with the bot: Telegram refuses to write to them first. */
const STRANGER = { id: 3003, is_bot: false as const, first_name: "Cô Sáu" };
const GROUP = { id: -100500, type: "supergroup" as const, title: "Xóm 3" };

let engine: Engine;
let cleanupEngine: () => Promise<void>;
beforeAll(async () => {
  ({ engine, cleanup: cleanupEngine } = await testEngine());
});
afterAll(async () => cleanupEngine());

let dataDir: string;
let store: Store;
let api: FakeBotApi;
let updateId = 0;
let messageId = 0;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-tg-intake-"));
  store = openSqliteStore({ dataDir, secret: SECRET });
  api = await startFakeBotApi(TOKEN, (call) =>
    call.method === "sendMessage" && Number(call.body.chat_id) === STRANGER.id ? { code: 403, description: "Forbidden: bot can't initiate conversation with a user" } : null,
  );
});
afterEach(async () => {
  store.close();
  await api.close();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * The real bot over the loopback Bot API (preset identity, no retries), with its own dialogue;
 * `rateLimit` is the dialogue's (residents' messages and taps per time frame).
 */
function bot(options: Partial<TelegramBotOptions> & { rateLimit?: { timeFrameMs: number; limit: number } } = {}, over: Store = store): TelegramBot {
  const { rateLimit, ...rest } = options;
  const { dialogue } = testDialogue(engine, over, rateLimit ? { rateLimit } : {});
  return createTelegramBot({
    token: TOKEN,
    dialogue,
    store: over,
    logger: createLogger("silent"),
    apiRoot: api.apiRoot,
    botInfo: BOT_INFO,
    autoRetry: false,
    ...rest,
  });
}

type From = typeof RESIDENT | typeof STRANGER;

function textUpdate(text: string, opts: { from?: From; chat?: Record<string, unknown> } = {}): Update {
  const from = opts.from ?? RESIDENT;
  const command = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] : [];
  return {
    update_id: ++updateId,
    message: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: opts.chat ?? { id: from.id, type: "private", first_name: from.first_name }, from, text, ...(command.length ? { entities: command } : {}) },
  } as unknown as Update;
}

function tap(data: string, from: From = RESIDENT): Update {
  return {
    update_id: ++updateId,
    callback_query: { id: `cb${updateId}`, from, chat_instance: "ci", data, message: { message_id: ++messageId, date: 0, chat: { id: from.id, type: "private" }, text: "…" } },
  } as unknown as Update;
}

const since = (n: number) => api.calls.slice(n);
const sentTexts = (calls: BotApiCall[]) => calls.filter((c) => c.method === "sendMessage").map((c) => String(c.body.text));
type Button = { text: string; callback_data?: string; url?: string };
const buttonsOf = (call: BotApiCall | undefined): Button[] => ((call?.body.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function storedQuestions(): Array<string | null> {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare("SELECT question FROM messages ORDER BY id").all() as Array<{ question: string | null }>).map((r) => r.question);
  } finally {
    db.close();
  }
}

/** /start, then «Đồng ý lưu câu hỏi» (so question texts are stored and can be checked). */
async function agree(tg: TelegramBot): Promise<void> {
  await tg.bot.handleUpdate(textUpdate("/start"));
  await tg.bot.handleUpdate(tap("consent:yes"));
}

describe("messages sent quickly", () => {
  // One thought typed as ten short messages, 200 ms apart: ten messages in two seconds.
  const PARTS = ["cho em hoi", "cai vneid", "muc 2", "thi", "dang ky", "o dau", "vay", "can mang", "giay to gi", "a"];

  it("should join ten messages sent within two seconds into one question and answer it once, dropping none", async () => {
    const tg = bot();
    await agree(tg);
    const before = api.calls.length;
    const started = Date.now();
    let lastSentAt = 0;
    for (const [i, part] of PARTS.entries()) {
      await sleep(started + i * 200 - Date.now());
      lastSentAt = Date.now() - started;
      await tg.bot.handleUpdate(textUpdate(part));
    }
    expect(lastSentAt).toBeLessThan(2_000);
    // Past the 1.5 s of quiet, and until nothing more comes for 2 s.
    await api.settle(2_000, 2_000);
    const out = since(before);
    const texts = sentTexts(out);
    expect(texts.join("\n")).not.toContain("nhanh quá");
    expect(texts.filter((t) => t.includes("Nguồn:"))).toHaveLength(1);
    expect(out.filter((c) => c.method === "sendChatAction")).toHaveLength(1);
    // Every part is in the one question answered, in order.
    expect(storedQuestions()).toEqual([PARTS.join(" ")]);
    expect(texts.join("\n")).toMatch(/VNeID/i);
  });

  it("should answer within the bounded wait while the resident keeps typing, and lose no part", async () => {
    const tg = bot({ join: { quietMs: 300, maxWaitMs: 700 } });
    await agree(tg);
    for (const part of PARTS) {
      await tg.bot.handleUpdate(textUpdate(part));
      await sleep(150);
    }
    await api.settle(800, 800);
    const questions = storedQuestions();
    // 1.5 s of typing with at most 0.7 s per question: answered in pieces, never waiting for the end.
    expect(questions.length).toBeGreaterThanOrEqual(2);
    expect(questions.join(" ")).toBe(PARTS.join(" "));
  });

  it("should answer what was being joined before a command that follows it", async () => {
    const tg = bot();
    await agree(tg);
    const before = api.calls.length;
    await tg.bot.handleUpdate(textUpdate("vneid muc 2 dang ky o dau"));
    await tg.bot.handleUpdate(textUpdate("/help"));
    const texts = sentTexts(since(before));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("Nguồn:");
    expect(texts[1]).toContain("/xoadulieu");
  });
});

describe("rate limit", () => {
  it("should acknowledge every button tap over the limit with a short text, so none spins forever", async () => {
    const tg = bot({ rateLimit: { timeFrameMs: 60_000, limit: 2 } });
    const taps = Array.from({ length: 5 }, () => tap("menu:skills"));
    for (const t of taps) await tg.bot.handleUpdate(t);
    const acks = api.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(acks.map((c) => c.body.callback_query_id)).toEqual(taps.map((t) => t.callback_query?.id));
    expect(acks.filter((c) => String(c.body.text ?? "").includes("nhanh quá"))).toHaveLength(3);
    expect(sentTexts(api.calls).filter((t) => t.startsWith("Kỹ năng số"))).toHaveLength(2);
  });

  it("should tell a resident once, not per message, when commands come too fast", async () => {
    const tg = bot({ rateLimit: { timeFrameMs: 60_000, limit: 2 } });
    for (let i = 0; i < 5; i++) await tg.bot.handleUpdate(textUpdate("/help"));
    const texts = sentTexts(api.calls);
    expect(texts.filter((t) => t.includes("/xoadulieu"))).toHaveLength(2);
    expect(texts.filter((t) => t.includes("nhanh quá"))).toHaveLength(1);
  });

  it("should count a joined burst once", async () => {
    const tg = bot({ rateLimit: { timeFrameMs: 60_000, limit: 2 }, join: { quietMs: 200, maxWaitMs: 2_000 } });
    for (const part of ["vneid", "muc 2", "dang ky", "o dau"]) await tg.bot.handleUpdate(textUpdate(part));
    await tg.flush();
    await tg.bot.handleUpdate(textUpdate("/help"));
    const texts = sentTexts(api.calls);
    expect(texts.join("\n")).not.toContain("nhanh quá");
    expect(texts.filter((t) => t.includes("Nguồn:"))).toHaveLength(1);
  });
});

describe("redelivered updates", () => {
  it("should answer an update Telegram sends again only once, also after a restart", async () => {
    const question = textUpdate("vneid muc 2 dang ky o dau");
    const first = bot({ join: false });
    await first.bot.handleUpdate(question);
    const answered = api.calls.length;
    expect(sentTexts(api.calls).join("\n")).toContain("Nguồn:");

    await first.bot.handleUpdate(question);
    expect(api.calls.length).toBe(answered);

    // A restart: a new store connection and a new bot over the same data directory.
    store.close();
    store = openSqliteStore({ dataDir, secret: SECRET });
    const second = bot({ join: false });
    await second.bot.handleUpdate(question);
    expect(api.calls.length).toBe(answered);

    // The same words in a new update are a new question.
    await second.bot.handleUpdate(textUpdate("vneid muc 2 dang ky o dau"));
    expect(sentTexts(since(answered)).join("\n")).toContain("Nguồn:");
  });

  it("should ignore a redelivered message that was being joined", async () => {
    const tg = bot();
    const update = textUpdate("vneid muc 2 dang ky o dau");
    await tg.bot.handleUpdate(update);
    await tg.bot.handleUpdate(update);
    await tg.flush();
    expect(storedQuestions()).toHaveLength(1);
  });
});

describe("privacy notice", () => {
  /** The notice names the law it follows; nothing else the bot says does. */
  const NOTICE = "91/2025/QH15";

  it("should answer /start in a group privately, posting neither the notice nor the consent buttons in the group", async () => {
    const tg = bot();
    await tg.bot.handleUpdate(textUpdate(`/start@${BOT_INFO.username}`, { chat: GROUP }));
    const toGroup = api.messages(GROUP.id);
    expect(toGroup.map((c) => String(c.body.text)).join("\n")).not.toContain(NOTICE);
    expect(toGroup.flatMap(buttonsOf).filter((b) => b.callback_data?.startsWith("consent:"))).toEqual([]);
    expect(toGroup).toHaveLength(1);
    const [privately] = api.messages(RESIDENT.id);
    expect(String(privately?.body.text)).toContain(NOTICE);
    expect(buttonsOf(privately).map((b) => b.callback_data)).toEqual(["consent:yes", "consent:no"]);
  });

  it("should invite someone the bot cannot write to first to open a private chat, still without the notice in the group", async () => {
    const tg = bot();
    await tg.bot.handleUpdate(textUpdate(`/start@${BOT_INFO.username}`, { from: STRANGER, chat: GROUP }));
    const toGroup = api.messages(GROUP.id);
    expect(toGroup).toHaveLength(1);
    expect(String(toGroup[0]?.body.text)).not.toContain(NOTICE);
    expect(String(toGroup[0]?.body.text)).toContain("nhắn riêng");
    expect(buttonsOf(toGroup[0])).toEqual([{ text: "Nhắn riêng cho trợ lý", url: `https://t.me/${BOT_INFO.username}?start=nhom` }]);
    expect(store.getUser(store.userKey("telegram", String(STRANGER.id)))).toBeUndefined();
  });

  it("should keep /quyenriengtu out of a group too", async () => {
    const tg = bot();
    await tg.bot.handleUpdate(textUpdate(`/quyenriengtu@${BOT_INFO.username}`, { chat: GROUP }));
    expect(api.messages(GROUP.id).map((c) => String(c.body.text)).join("\n")).not.toContain(NOTICE);
    expect(String(api.messages(RESIDENT.id)[0]?.body.text)).toContain(NOTICE);
  });

  it("should ask again for consent on the next message after a deletion, as the deletion reply says, and only once", async () => {
    const tg = bot({ join: false });
    await agree(tg);
    await tg.bot.handleUpdate(textUpdate("vneid muc 2 dang ky o dau"));
    await tg.bot.handleUpdate(textUpdate("/xoadulieu"));
    let before = api.calls.length;
    await tg.bot.handleUpdate(tap("delete:yes"));
    const deleted = sentTexts(since(before)).join("\n");
    expect(deleted).toContain("Đã xóa toàn bộ dữ liệu");
    expect(deleted).toContain("hỏi lại bà con có đồng ý lưu câu hỏi");

    before = api.calls.length;
    await tg.bot.handleUpdate(textUpdate("tat song 2g khi nao"));
    const next = since(before).filter((c) => c.method === "sendMessage");
    expect(String(next.at(-2)?.body.text)).toContain("Nguồn:");
    expect(String(next.at(-1)?.body.text)).toContain("Thông báo về dữ liệu cá nhân");
    expect(String(next.at(-1)?.body.text)).toContain(NOTICE);
    expect(String(next.at(-1)?.body.text)).toContain("Bà con có đồng ý cho trợ lý lưu câu hỏi không?");
    expect(buttonsOf(next.at(-1)).map((b) => b.callback_data)).toEqual(["consent:yes", "consent:no"]);
    // Nothing about the question is kept until the resident chooses again.
    expect(store.getUser(store.userKey("telegram", String(RESIDENT.id)))?.consent).toBeNull();
    expect(storedQuestions()).toEqual([null]);

    before = api.calls.length;
    await tg.bot.handleUpdate(textUpdate("vneid muc 2 dang ky o dau"));
    expect(sentTexts(since(before)).join("\n")).not.toContain(NOTICE);
  });
});
