import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { MASK_LABEL } from "../../src/core/privacy/mask.js";
import type { Channel, Store } from "../../src/core/store.js";
import { migrate, SCHEMA_VERSION, userVersion } from "../../src/storage/migrations.js";
import { checkDatabaseFile, DATABASE_FILE, DATABASE_MARKER_FILE, openSqliteStore, SECRET_FILE } from "../../src/storage/sqlite-store.js";

const SECRET = "bi-mat-thu-nghiem";
const PHONE = "0912 345 678";
const CCCD = "001203004567";
const DAY_MS = 24 * 60 * 60 * 1000;

let dir: string;
let clock: Date;
const stores: Store[] = [];
const raws: Database.Database[] = [];

function open(options: { secret?: string | null } = {}): Store {
  const secret = options.secret === null ? undefined : (options.secret ?? SECRET);
  const store = openSqliteStore({ dataDir: dir, secret, now: () => clock });
  stores.push(store);
  return store;
}

/** A second, independent connection to read what is really in the file. */
function raw(): Database.Database {
  const db = new Database(path.join(dir, DATABASE_FILE));
  raws.push(db);
  return db;
}

function consentedUser(store: Store, channel: Channel, id: string): string {
  const key = store.ensureUser(channel, id).key;
  store.setConsent(key, true, "2025-01");
  return key;
}

function message(store: Store, userKey: string, question = "wifi xa o dau") {
  return store.recordMessage({
    userKey,
    channel: "telegram",
    question,
    kind: "extractive",
    confidence: 0.8,
    commune: "cong-hoa",
    sources: ["ke-hoach-ha-tang-so-cong-hoa-2025"],
    latencyMs: 12.5,
  });
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), "tro-ly-so-store-")), "data");
  clock = new Date("2025-03-01T08:00:00.000Z");
});

afterEach(async () => {
  for (const db of raws.splice(0)) db.close();
  for (const store of stores.splice(0)) store.close();
  await rm(path.dirname(dir), { recursive: true, force: true });
});

describe("pseudonymous users", () => {
  it("should derive a stable hex key that differs per channel and per secret", () => {
    const store = open();
    const key = store.userKey("telegram", "123456789");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(store.userKey("telegram", "123456789")).toBe(key);
    expect(store.userKey("zalo", "123456789")).not.toBe(key);
    expect(store.userKey("telegram", "123456780")).not.toBe(key);
    store.close();

    expect(open().userKey("telegram", "123456789")).toBe(key);
    expect(open({ secret: "mot-bi-mat-khac" }).userKey("telegram", "123456789")).not.toBe(key);
  });

  it("should create a private secret file on first use and reuse it", async () => {
    const first = open({ secret: null });
    const key = first.userKey("zalo", "u-1");
    first.close();
    const file = path.join(dir, SECRET_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(open({ secret: null }).userKey("zalo", "u-1")).toBe(key);
  });

  it("should never write the raw channel user id to the database", async () => {
    const store = open();
    const rawId = "987654321012";
    const user = store.ensureUser("telegram", rawId);
    expect(user).toMatchObject({ key: store.userKey("telegram", rawId), channel: "telegram", consent: null, commune: null });
    store.setConsent(user.key, true, "2025-01");
    store.setCommune(user.key, "phu-tan");
    message(store, user.key, "xin chao");

    const rows = raw().prepare("SELECT * FROM users").all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    for (const value of Object.values(rows[0] as Record<string, unknown>)) expect(String(value)).not.toContain(rawId);

    for (const db of raws.splice(0)) db.close();
    store.close();
    const bytes = await readFile(path.join(dir, DATABASE_FILE));
    expect(bytes.includes(Buffer.from(rawId))).toBe(false);
  });

  it("should return the same record when a user comes back", () => {
    const store = open();
    const first = store.ensureUser("web", "phien-1");
    clock = new Date(clock.getTime() + DAY_MS);
    expect(store.ensureUser("web", "phien-1")).toEqual(first);
    expect(store.getUser("khong-co")).toBeUndefined();
  });

  it("should store the chosen commune and reject unknown users", () => {
    const store = open();
    const key = store.ensureUser("zalo", "z-1").key;
    store.setCommune(key, "phu-tan");
    expect(store.getUser(key)?.commune).toBe("phu-tan");
    store.setCommune(key, null);
    expect(store.getUser(key)?.commune).toBeNull();
    expect((catchError(() => store.setCommune("khong-co", "phu-tan")) as AppError).code).toBe("NOT_FOUND");
    expect((catchError(() => store.setConsent("khong-co", true, "2025-01")) as AppError).code).toBe("NOT_FOUND");
  });
});

describe("consent", () => {
  it("should keep the history and report the latest choice", () => {
    const store = open();
    const key = store.ensureUser("telegram", "42").key;
    expect(store.getUser(key)?.consent).toBeNull();

    store.setConsent(key, true, "2025-01");
    clock = new Date("2025-03-02T09:00:00.000Z");
    const user = store.setConsent(key, false, "2025-02");
    expect(user.consent).toEqual({ granted: false, noticeVersion: "2025-02", at: "2025-03-02T09:00:00.000Z" });
    expect(store.getUser(key)?.consent?.granted).toBe(false);

    // Same timestamp as the previous choice: the later call still wins.
    expect(store.setConsent(key, true, "2025-02").consent?.granted).toBe(true);

    const history = raw().prepare("SELECT granted, notice_version FROM consents WHERE user_key = ? ORDER BY id").all(key);
    expect(history).toEqual([
      { granted: 1, notice_version: "2025-01" },
      { granted: 0, notice_version: "2025-02" },
      { granted: 1, notice_version: "2025-02" },
    ]);
  });
});

describe("messages and feedback", () => {
  it("should not store question text without granted consent", () => {
    const store = open();
    const never = store.ensureUser("telegram", "1").key;
    const refused = store.ensureUser("telegram", "2").key;
    store.setConsent(refused, false, "2025-01");
    const revoked = consentedUser(store, "telegram", "3");
    store.setConsent(revoked, false, "2025-01");

    for (const key of [never, refused, revoked]) {
      const record = message(store, key, "nha toi o thon 3 muon lap wifi");
      expect(record.question).toBeNull();
      expect(store.getMessage(record.id)?.question).toBeNull();
    }
    const stored = raw().prepare("SELECT question FROM messages").all();
    expect(stored).toEqual([{ question: null }, { question: null }, { question: null }]);
  });

  it("should store masked question text with consent and read the record back", () => {
    const store = open();
    const key = consentedUser(store, "zalo", "z-9");
    const record = message(store, key, `Số tôi ${PHONE}, CCCD ${CCCD}, hỗ trợ điện thoại 4G thế nào?`);
    expect(record).toMatchObject({
      userKey: key,
      channel: "telegram",
      kind: "extractive",
      confidence: 0.8,
      commune: "cong-hoa",
      sources: ["ke-hoach-ha-tang-so-cong-hoa-2025"],
      latencyMs: 12.5,
      createdAt: "2025-03-01T08:00:00.000Z",
    });
    expect(store.getMessage(record.id)).toEqual(record);
    expect(store.getMessage(record.id + 1)).toBeUndefined();

    const { question } = raw().prepare("SELECT question FROM messages WHERE id = ?").get(record.id) as { question: string };
    expect(question).toBe(`Số tôi ${MASK_LABEL.phone}, CCCD ${MASK_LABEL.id}, hỗ trợ điện thoại 4G thế nào?`);
    expect(question).not.toContain("345");
    expect(question).not.toContain(CCCD);
  });

  it("should record feedback with a masked reason and reject unknown messages", () => {
    const store = open();
    const key = store.ensureUser("web", "w-1").key;
    const record = message(store, key);
    store.recordFeedback({ messageId: record.id, userKey: key, rating: "down", reason: `goi lai cho toi ${PHONE}` });
    const rows = () => raw().prepare("SELECT message_id, user_key, rating, reason FROM feedback ORDER BY id").all();
    expect(rows()).toEqual([{ message_id: record.id, user_key: key, rating: "down", reason: `goi lai cho toi ${MASK_LABEL.phone}` }]);
    // A repeated 👎 without a reason keeps the reason; a later 👍 replaces the opinion and its reason.
    store.recordFeedback({ messageId: record.id, userKey: key, rating: "down" });
    expect(rows()).toEqual([{ message_id: record.id, user_key: key, rating: "down", reason: `goi lai cho toi ${MASK_LABEL.phone}` }]);
    store.recordFeedback({ messageId: record.id, userKey: key, rating: "up" });
    expect(rows()).toEqual([{ message_id: record.id, user_key: key, rating: "up", reason: null }]);
    const err = catchError(() => store.recordFeedback({ messageId: 9999, userKey: key, rating: "up" }));
    expect((err as AppError).code).toBe("NOT_FOUND");
    expect((catchError(() => message(store, "khong-co")) as AppError).code).toBe("NOT_FOUND");
  });
});

describe("the staff queue", () => {
  it("should refuse to queue a question without granted consent", () => {
    const store = open();
    const never = store.ensureUser("telegram", "1").key;
    const revoked = consentedUser(store, "telegram", "2");
    store.setConsent(revoked, false, "2025-01");
    for (const userKey of [never, revoked, "khong-co"]) {
      const err = catchError(() => store.enqueue({ userKey, channel: "telegram", question: "hoi can bo", reason: "requested" }));
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("CONSENT_REQUIRED");
    }
    expect(raw().prepare("SELECT count(*) AS n FROM staff_queue").get()).toEqual({ n: 0 });
  });

  it("should go open → answered → delivered, masking texts and forgetting the address", () => {
    const store = open();
    const key = consentedUser(store, "telegram", "555");
    const asked = message(store, key);
    const item = store.enqueue({
      userKey: key,
      channel: "telegram",
      question: `Tôi CCCD ${CCCD}, được hỗ trợ máy không?`,
      reason: "unanswered",
      messageId: asked.id,
      commune: "phu-tan",
      deliveryAddress: "555",
    });
    expect(item).toMatchObject({
      status: "open",
      question: `Tôi CCCD ${MASK_LABEL.id}, được hỗ trợ máy không?`,
      messageId: asked.id,
      commune: "phu-tan",
      staffAnswer: null,
      answeredBy: null,
      answeredAt: null,
      delivered: null,
      deliveryAddress: "555",
    });

    clock = new Date("2025-03-01T10:00:00.000Z");
    const answered = store.answerQueueItem(item.id, `Bác gọi cán bộ Lan số ${PHONE} nhé`, "can-bo-lan");
    expect(answered).toMatchObject({
      status: "answered",
      staffAnswer: `Bác gọi cán bộ Lan số ${MASK_LABEL.phone} nhé`,
      answeredBy: "can-bo-lan",
      answeredAt: "2025-03-01T10:00:00.000Z",
      delivered: null,
      deliveryAddress: "555",
    });
    const stored = raw().prepare("SELECT question, staff_answer FROM staff_queue WHERE id = ?").get(item.id) as Record<string, string>;
    expect(JSON.stringify(stored)).not.toMatch(/345|001203/);

    store.markDelivered(item.id, true);
    expect(store.getQueueItem(item.id)).toMatchObject({ delivered: true, deliveryAddress: null, status: "answered" });
    expect(raw().prepare("SELECT delivered, delivery_address FROM staff_queue WHERE id = ?").get(item.id)).toEqual({
      delivered: 1,
      delivery_address: null,
    });
  });

  it("should keep the address when delivery failed", () => {
    const store = open();
    const key = consentedUser(store, "zalo", "zalo-77");
    const item = store.enqueue({ userKey: key, channel: "zalo", question: "hoi", reason: "requested", deliveryAddress: "zalo-77" });
    store.answerQueueItem(item.id, "tra loi", "can-bo");
    store.markDelivered(item.id, false);
    expect(store.getQueueItem(item.id)).toMatchObject({ delivered: false, deliveryAddress: "zalo-77" });
    expect(store.getQueueItem(item.id)?.messageId).toBeNull();
    expect((catchError(() => store.markDelivered(9999, true)) as AppError).code).toBe("NOT_FOUND");
    expect((catchError(() => store.answerQueueItem(9999, "x", "y")) as AppError).code).toBe("NOT_FOUND");
    expect(store.getQueueItem(9999)).toBeUndefined();
  });

  it("should list by status, oldest first, up to the limit", () => {
    const store = open();
    const key = consentedUser(store, "web", "w");
    const ids = ["a", "b", "c", "d"].map((q) => store.enqueue({ userKey: key, channel: "web", question: q, reason: "requested" }).id);
    store.answerQueueItem(ids[1] as number, "tra loi", "can-bo");

    expect(store.listQueue().map((i) => i.id)).toEqual(ids);
    expect(store.listQueue({ status: "open" }).map((i) => i.question)).toEqual(["a", "c", "d"]);
    expect(store.listQueue({ status: "answered" }).map((i) => i.question)).toEqual(["b"]);
    expect(store.listQueue({ status: "closed" })).toEqual([]);
    expect(store.listQueue({ status: "open", limit: 2 }).map((i) => i.question)).toEqual(["a", "c"]);
    expect(store.listQueue({ limit: 0 })).toEqual([]);
  });
});

describe("state", () => {
  it("should round-trip JSON values, overwrite and delete", () => {
    const store = open();
    expect(store.getState("k")).toBeUndefined();
    const value = { step: "chon-xa", options: ["cong-hoa", "phu-tan"], n: 2, nested: { ok: true, none: null }, text: "Đường" };
    store.setState("k", value);
    expect(store.getState<typeof value>("k")).toEqual(value);
    store.setState("k", 7);
    expect(store.getState<number>("k")).toBe(7);
    store.setState("s", "chuỗi");
    expect(store.getState<string>("s")).toBe("chuỗi");
    store.deleteState("k");
    expect(store.getState("k")).toBeUndefined();
    expect(store.getState<string>("s")).toBe("chuỗi");
    expect(() => store.setState("k", undefined)).toThrow(TypeError);
  });
});

describe("credentials and seen events", () => {
  it("should replace a credential whole and keep it across reopening", () => {
    const store = open();
    expect(store.getCredential("zalo-oa-tokens")).toBeUndefined();
    store.setCredential("zalo-oa-tokens", { accessToken: "a1", refreshToken: "r1" });
    store.setCredential("zalo-oa-tokens", { accessToken: "a2", refreshToken: "r2" });
    store.close();
    expect(open().getCredential("zalo-oa-tokens")).toEqual({ accessToken: "a2", refreshToken: "r2" });
    expect(raw().prepare("SELECT count(*) FROM credentials").pluck().get()).toBe(1);
  });

  it("should see an event id once per channel, and forget it after two days", () => {
    const store = open();
    expect(store.markEventSeen("zalo", "msg-1")).toBe(true);
    expect(store.markEventSeen("zalo", "msg-1")).toBe(false);
    expect(store.markEventSeen("telegram", "msg-1")).toBe(true);
    clock = new Date(clock.getTime() + 2 * DAY_MS + 1000);
    expect(store.markEventSeen("zalo", "msg-2")).toBe(true);
    expect(store.markEventSeen("zalo", "msg-1")).toBe(true);
  });

  it("should list one user's queue items only", () => {
    const store = open();
    const a = consentedUser(store, "zalo", "1");
    const b = consentedUser(store, "zalo", "2");
    store.enqueue({ userKey: a, channel: "zalo", question: "cau a", reason: "requested" });
    store.enqueue({ userKey: b, channel: "zalo", question: "cau b", reason: "requested" });
    expect(store.listQueue({ userKey: a }).map((i) => i.question)).toEqual(["cau a"]);
    expect(store.listQueue({ userKey: b, status: "answered" })).toEqual([]);
    expect(store.listQueue()).toHaveLength(2);
  });
});

describe("staff accounts", () => {
  it("should create, find, disable and re-password accounts, refusing a taken name", () => {
    const store = open();
    expect(store.countStaff()).toBe(0);
    const a = store.createStaff("admin", "scrypt$hash1");
    expect(a).toMatchObject({ username: "admin", disabled: false, lastLoginAt: null });
    expect(() => store.createStaff("admin", "x")).toThrow(expect.objectContaining({ code: "STAFF_EXISTS" }));
    expect(store.getStaffCredentials("admin")?.passwordHash).toBe("scrypt$hash1");
    expect(store.getStaffCredentials("nobody")).toBeUndefined();
    expect(store.setStaffDisabled("admin", true)).toBe(true);
    expect(store.getStaffCredentials("admin")?.account.disabled).toBe(true);
    expect(store.setStaffPassword("admin", "scrypt$hash2")).toBe(true);
    expect(store.setStaffPassword("nobody", "x")).toBe(false);
    store.recordStaffLogin("admin");
    expect(store.listStaff()[0]?.lastLoginAt).toBe(clock.toISOString());
    expect(store.countStaff()).toBe(1);
  });
});

describe("statistics", () => {
  it("should count questions per Vietnam day, kinds, sources, feedback, top questions and the least sure answers", () => {
    const store = open();
    const a = consentedUser(store, "telegram", "1");
    const b = store.ensureUser("zalo", "2").key;
    const at = (iso: string) => {
      clock = new Date(iso);
    };
    // 23:30 UTC on the 1st is 06:30 on the 2nd in Vietnam.
    at("2026-11-01T23:30:00.000Z");
    const m1 = store.recordMessage({ userKey: a, channel: "telegram", question: "Tắt sóng 2G khi nào?", kind: "faq", confidence: 0.9, commune: null, sources: ["lo-trinh-2g"], latencyMs: 1 });
    at("2026-11-02T03:00:00.000Z");
    store.recordMessage({ userKey: a, channel: "telegram", question: "tat song 2g khi nao", kind: "extractive", confidence: 0.6, commune: null, sources: ["lo-trinh-2g", "tt14"], latencyMs: 1 });
    store.recordMessage({ userKey: b, channel: "zalo", question: "gia vang", kind: "handoff", confidence: 0.2, commune: null, sources: [], latencyMs: 1 });
    store.recordFeedback({ messageId: m1.id, userKey: a, rating: "up" });
    at("2026-11-03T10:00:00.000Z");
    const s = store.stats({ days: 3 });
    expect(s.perDay).toEqual([
      { day: "2026-11-01", questions: 0, handoffs: 0 },
      { day: "2026-11-02", questions: 3, handoffs: 1 },
      { day: "2026-11-03", questions: 0, handoffs: 0 },
    ]);
    expect(s.byKind).toMatchObject({ faq: 1, extractive: 1, handoff: 1, refusal: 0 });
    expect(s.bySource).toEqual([{ docId: "lo-trinh-2g", questions: 2 }, { docId: "tt14", questions: 1 }]);
    expect(s.feedback).toEqual({ up: 1, down: 0 });
    // Bob did not consent: his text is not kept, so it cannot be counted.
    expect(s.topQuestions).toEqual([{ question: "tat song 2g khi nao", count: 2 }]);
    expect(s.lowestConfidence.map((r) => r.confidence)).toEqual([0.2, 0.6, 0.9]);
    expect(store.stats({ days: 1 }).perDay).toEqual([{ day: "2026-11-03", questions: 0, handoffs: 0 }]);
  });

  it("should close a queue item and filter the queue by channel", () => {
    const store = open();
    const a = consentedUser(store, "zalo", "1");
    const item = store.enqueue({ userKey: a, channel: "zalo", question: "hoi", reason: "requested", deliveryAddress: "1" });
    expect(store.listQueue({ channel: "zalo" })).toHaveLength(1);
    expect(store.listQueue({ channel: "telegram" })).toHaveLength(0);
    const closed = store.closeQueueItem(item.id, "can-bo");
    expect(closed).toMatchObject({ status: "closed", answeredBy: "can-bo", deliveryAddress: null });
    expect(store.stats({ days: 1 }).queue).toEqual({ open: 0, answered: 0, undelivered: 0 });
    expect(() => store.closeQueueItem(999, "x")).toThrow(expect.objectContaining({ code: "QUEUE_ITEM_UNKNOWN" }));
  });
});

describe("deleting a user", () => {
  /** Gives a user a row in every table, including feedback and queue items. */
  function populate(store: Store, channel: Channel, id: string): string {
    const key = consentedUser(store, channel, id);
    store.setCommune(key, "cong-hoa");
    const m1 = message(store, key, `cau hoi cua ${id}`);
    const m2 = message(store, key);
    store.recordFeedback({ messageId: m1.id, userKey: key, rating: "up" });
    store.recordFeedback({ messageId: m2.id, userKey: key, rating: "down", reason: "sai" });
    const q = store.enqueue({ userKey: key, channel, question: `hoi can bo ${id}`, reason: "unanswered", messageId: m1.id, deliveryAddress: id });
    store.answerQueueItem(q.id, "tra loi", "can-bo");
    store.enqueue({ userKey: key, channel, question: "con mo", reason: "requested", deliveryAddress: id });
    store.setState(key, { session: true });
    store.setState(`${key}:flow`, { step: 1 });
    store.setState(`${key}:xa`, "cong-hoa");
    return key;
  }

  /** Rows in any table whose any column equals the key or starts with `key:`. */
  function rowsAbout(db: Database.Database, key: string): Record<string, number> {
    // credentials (the OA's tokens), seen_events (Zalo message ids, Telegram update ids) and staff (console accounts) hold nothing about residents;
    // jobs hold transient work only (encrypted, a keyed hash for the order), deleted once answered.
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('credentials', 'seen_events', 'staff', 'jobs')")
      .pluck()
      .all() as string[];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
      const where = columns.map((c) => `"${c}" = @key OR substr("${c}", 1, length(@prefix)) = @prefix`).join(" OR ");
      counts[table] = db.prepare(`SELECT count(*) FROM "${table}" WHERE ${where}`).pluck().get({ key, prefix: `${key}:` }) as number;
    }
    return counts;
  }

  it("should remove every row about the user and nothing about others", () => {
    const store = open();
    const alice = populate(store, "telegram", "111");
    const bob = populate(store, "zalo", "222");
    // Bob's queue item points at one of Alice's messages: it must survive with the link cleared.
    const aliceMessage = (raw().prepare("SELECT id FROM messages WHERE user_key = ? LIMIT 1").get(alice) as { id: number }).id;
    const bobItem = store.enqueue({ userKey: bob, channel: "zalo", question: "lien quan", reason: "requested", messageId: aliceMessage });
    // A key that merely starts with Alice's key (no colon) is not hers.
    store.setState(`${alice}x`, "khac");

    const db = raw();
    const aliceBefore = rowsAbout(db, alice);
    const bobBefore = rowsAbout(db, bob);
    expect(Object.values(aliceBefore).every((n) => n > 0)).toBe(true);
    expect(aliceBefore).toEqual({ users: 1, consents: 1, messages: 2, feedback: 2, staff_queue: 2, state: 3 });

    const counts = store.deleteUser(alice);
    expect(counts).toEqual({ users: 1, consents: 1, messages: 2, feedback: 2, queue: 2, state: 3 });
    expect(Object.values(rowsAbout(db, alice)).every((n) => n === 0)).toBe(true);
    expect(rowsAbout(db, bob)).toEqual(bobBefore);
    expect(store.getUser(alice)).toBeUndefined();
    expect(store.getUser(bob)?.consent?.granted).toBe(true);
    expect(store.getQueueItem(bobItem.id)?.messageId).toBeNull();
    expect(store.getState(`${alice}x`)).toBe("khac");
    expect(store.getState(`${bob}:flow`)).toEqual({ step: 1 });

    expect(store.deleteUser(alice)).toEqual({ users: 0, consents: 0, messages: 0, feedback: 0, queue: 0, state: 0 });
  });
});

describe("purge", () => {
  it("should blank or remove text older than the retention period only", () => {
    const store = open();
    const key = consentedUser(store, "telegram", "9");
    const t0 = clock;
    const oldMessage = message(store, key, "cau hoi cu");
    store.recordFeedback({ messageId: oldMessage.id, userKey: key, rating: "down", reason: "ly do cu" });
    const oldAnswered = store.enqueue({ userKey: key, channel: "telegram", question: "cu da tra loi", reason: "requested", deliveryAddress: "9" });
    store.answerQueueItem(oldAnswered.id, "tra loi", "can-bo");
    const oldOpen = store.enqueue({ userKey: key, channel: "telegram", question: "cu chua tra loi", reason: "requested" });
    store.setState(`${key}:old`, 1);
    store.setState(`${key}:touched`, 1);

    clock = new Date(t0.getTime() + 40 * DAY_MS);
    store.setState(`${key}:touched`, 2);
    const freshMessage = message(store, key, "cau hoi moi");
    store.recordFeedback({ messageId: freshMessage.id, userKey: key, rating: "down", reason: "ly do moi" });
    const freshAnswered = store.enqueue({ userKey: key, channel: "telegram", question: "moi", reason: "requested" });
    store.answerQueueItem(freshAnswered.id, "tra loi", "can-bo");

    // Default clock: the store's `now`.
    expect(store.purge(30)).toEqual({ messages: 1, feedback: 1, queue: 1, state: 1 });

    expect(store.getMessage(oldMessage.id)?.question).toBeNull();
    expect(store.getMessage(oldMessage.id)?.kind).toBe("extractive");
    expect(store.getMessage(freshMessage.id)?.question).toBe("cau hoi moi");
    expect(raw().prepare("SELECT reason FROM feedback ORDER BY id").pluck().all()).toEqual([null, "ly do moi"]);
    expect(store.getQueueItem(oldAnswered.id)).toBeUndefined();
    expect(store.getQueueItem(oldOpen.id)?.question).toBe("cu chua tra loi");
    expect(store.getQueueItem(freshAnswered.id)).toBeDefined();
    expect(store.getState(`${key}:old`)).toBeUndefined();
    expect(store.getState(`${key}:touched`)).toBe(2);
    expect(store.getUser(key)?.consent?.granted).toBe(true);

    // An explicit date: nothing is older than 60 days, then everything left is older than 0 days.
    expect(store.purge(60, clock)).toEqual({ messages: 0, feedback: 0, queue: 0, state: 0 });
    expect(store.purge(0, new Date(clock.getTime() + 1))).toEqual({ messages: 1, feedback: 1, queue: 1, state: 1 });
    expect(() => store.purge(-1)).toThrow(RangeError);
  });
});

describe("the database file", () => {
  it("should use WAL and apply migrations once", () => {
    const store = open();
    const key = store.ensureUser("web", "w").key;
    store.close();
    const again = open();
    expect(again.getUser(key)?.key).toBe(key);

    const db = raw();
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toEqual([]);
    expect(db.prepare("SELECT count(*) FROM users").pluck().get()).toBe(1);
  });

  it("should migrate a new file in one step per version and refuse a newer schema", async () => {
    await mkdir(dir, { recursive: true });
    const db = raw();
    expect(userVersion(db)).toBe(0);
    expect(migrate(db)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => open()).toThrow(/newer than this build/);
  });

  /** Bytes of the database file and its -wal as they are on disk now. */
  async function onDisk(): Promise<Buffer> {
    const file = path.join(dir, DATABASE_FILE);
    const wal = existsSync(`${file}-wal`) ? await readFile(`${file}-wal`) : Buffer.alloc(0);
    return Buffer.concat([await readFile(file), wal]);
  }

  it("should overwrite deleted and purged text in the file and empty the WAL (secure_delete, checkpoint)", async () => {
    const store = open();
    const gone = consentedUser(store, "telegram", "71");
    const kept = consentedUser(store, "zalo", "72");
    for (let i = 0; i < 20; i++) message(store, gone, `cau hoi rieng cua xom Dong Quyt ${i}`);
    message(store, kept, "cau hoi cua thon Lac Thuy");
    expect((await onDisk()).includes("xom Dong Quyt")).toBe(true);

    store.deleteUser(gone);
    const file = path.join(dir, DATABASE_FILE);
    expect(existsSync(`${file}-wal`) ? (await stat(`${file}-wal`)).size : 0).toBe(0);
    expect((await onDisk()).includes("xom Dong Quyt")).toBe(false);
    expect((await onDisk()).includes("thon Lac Thuy")).toBe(true);

    clock = new Date(clock.getTime() + 40 * DAY_MS);
    store.purge(30);
    expect((await onDisk()).includes("thon Lac Thuy")).toBe(false);
    expect(store.getUser(kept)?.consent?.granted).toBe(true);
  });

  it("should rebuild once a database written before secure_delete, so rows deleted back then leave the file", async () => {
    const store = open();
    const key = consentedUser(store, "telegram", "81");
    message(store, key, "cau hoi xoa tu phien ban cu");
    store.close();
    // As an older build left it: no marker, and a row deleted without overwriting.
    await rm(path.join(dir, DATABASE_MARKER_FILE));
    const old = new Database(path.join(dir, DATABASE_FILE));
    old.pragma("secure_delete = OFF");
    old.prepare("DELETE FROM messages").run();
    old.close();
    expect((await readFile(path.join(dir, DATABASE_FILE))).includes("xoa tu phien ban cu")).toBe(true);

    open().close();
    expect((await readFile(path.join(dir, DATABASE_FILE))).includes("xoa tu phien ban cu")).toBe(false);
    expect(existsSync(path.join(dir, DATABASE_MARKER_FILE))).toBe(true);
  });

  it("should mark an initialised database and refuse it once it is emptied or missing (DATABASE_LOST)", async () => {
    const file = path.join(dir, DATABASE_FILE);
    // A new install passes, and so does a zero-length file nobody initialised.
    expect(() => checkDatabaseFile(dir)).not.toThrow();
    await mkdir(dir, { recursive: true });
    await writeFile(file, "");
    open().close();
    const marker = JSON.parse(await readFile(path.join(dir, DATABASE_MARKER_FILE), "utf8")) as { app: string; database: string };
    expect(marker).toMatchObject({ app: "tro-ly-so", database: DATABASE_FILE });

    await truncate(file, 0);
    const empty = catchError(() => open()) as AppError;
    expect(empty.code).toBe("DATABASE_LOST");
    expect(empty.message).toContain(file);
    expect(empty.message).toContain("npm run restore");
    expect((await stat(file)).size).toBe(0);

    await rm(file);
    expect((catchError(() => open()) as AppError).message).toContain("is missing");
    expect(existsSync(file)).toBe(false);
  });

  it("should enforce foreign keys and close cleanly", () => {
    const store = open();
    expect((catchError(() => store.recordFeedback({ messageId: 1, userKey: "khong-co", rating: "up" })) as AppError).code).toBe("NOT_FOUND");
    store.close();
    store.close();
    expect(() => store.getUser("x")).toThrow();
  });
});
