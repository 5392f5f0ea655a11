/**
 * Each store port of core/store.ts built on its own over one real SQLite connection (as
 * storage/sqlite/store.ts composes them), and the edge cases of each that the whole-store tests
 * (sqlite-store.test.ts) do not reach: unknown ids, bad arguments, values that are not JSON, the
 * health probe after close, and what one port sees of another's rows.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { MASK_LABEL } from "../../src/core/privacy/mask.js";
import { SCHEMA_VERSION } from "../../src/storage/migrations.js";
import { createCredentials } from "../../src/storage/sqlite/credentials.js";
import { DATABASE_MARKER_FILE, openDatabase, prepareDataDir, SECRET_FILE } from "../../src/storage/sqlite/database.js";
import { createEventLog } from "../../src/storage/sqlite/events.js";
import { createSqliteJobQueue } from "../../src/storage/sqlite/job-queue.js";
import { createMaintenance } from "../../src/storage/sqlite/maintenance.js";
import { createMessageLog } from "../../src/storage/sqlite/messages.js";
import { consentCheck, createResidentRecords } from "../../src/storage/sqlite/residents.js";
import { createStaffAccounts } from "../../src/storage/sqlite/staff-accounts.js";
import { createStaffQueue } from "../../src/storage/sqlite/staff-queue.js";
import { createConversationState } from "../../src/storage/sqlite/state.js";
import { createUsageStatistics } from "../../src/storage/sqlite/stats.js";

const SECRET = "bi-mat-cong-thu-nghiem";
const PHONE = "0912 345 678";

let dir: string;
let clock: Date;
let db: Database.Database;
const now = () => clock;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
  return undefined;
}

/** A user who agreed to keeping their text, created through ResidentRecords alone. */
function consented(channel: "telegram" | "zalo" | "web", id: string): string {
  const residents = createResidentRecords(db, { secret: SECRET, now });
  const key = residents.ensureUser(channel, id).key;
  residents.setConsent(key, true, "2026-01");
  return key;
}

beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), "tro-ly-so-ports-")), "data");
  clock = new Date("2026-12-01T01:00:00.000Z");
  prepareDataDir(dir, SECRET);
  db = openDatabase(dir, () => clock.toISOString());
});

afterEach(async () => {
  if (db.open) db.close();
  await rm(path.dirname(dir), { recursive: true, force: true });
});

describe("the database file", () => {
  it("should create the folder and a secret file, refuse an empty secret, and mark the database initialised", async () => {
    expect(existsSync(path.join(dir, DATABASE_MARKER_FILE))).toBe(true);
    const other = path.join(path.dirname(dir), "other");
    const secret = prepareDataDir(other, undefined);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(prepareDataDir(other, undefined)).toBe(secret);
    expect(existsSync(path.join(other, SECRET_FILE))).toBe(true);
    expect(code(() => prepareDataDir(other, ""))).toBe("CONFIG_INVALID");
  });
});

describe("ResidentRecords", () => {
  it("should refuse unknown users and export or delete nothing for them", () => {
    const residents = createResidentRecords(db, { secret: SECRET, now });
    expect(code(() => residents.setConsent("khong-co", true, "2026-01"))).toBe("NOT_FOUND");
    expect(code(() => residents.setCommune("khong-co", "cong-hoa"))).toBe("NOT_FOUND");
    expect(residents.getUser("khong-co")).toBeUndefined();
    expect(residents.exportUser("khong-co")).toBeUndefined();
    expect(residents.deleteUser("khong-co")).toEqual({ users: 0, consents: 0, messages: 0, feedback: 0, queue: 0, state: 0 });
  });

  it("should export the state rows another port wrote, by name only, and delete them with the user", () => {
    const residents = createResidentRecords(db, { secret: SECRET, now });
    const state = createConversationState(db, { now });
    const key = residents.ensureUser("telegram", "7").key;
    state.setState(key, { step: 1 });
    state.setState(`${key}:telegram`, { session: "x" });
    state.setState(`${key}x:other`, { not: "theirs" });
    expect(residents.exportUser(key)?.state).toEqual([
      { name: "", updatedAt: "2026-12-01T01:00:00.000Z" },
      { name: "telegram", updatedAt: "2026-12-01T01:00:00.000Z" },
    ]);
    expect(residents.deleteUser(key)).toMatchObject({ users: 1, state: 2 });
    expect(state.getState(`${key}x:other`)).toEqual({ not: "theirs" });
  });
});

describe("MessageLog", () => {
  it("should keep the question only when the consent check it was given says so", () => {
    const key = consented("zalo", "1");
    const refusing = createMessageLog(db, { now, hasGrantedConsent: () => false });
    const residents = createResidentRecords(db, { secret: SECRET, now });
    const granting = createMessageLog(db, { now, hasGrantedConsent: consentCheck(residents) });
    const input = { userKey: key, channel: "zalo" as const, question: `goi ${PHONE}`, kind: "faq" as const, confidence: 1, commune: null, sources: [], latencyMs: 1 };
    expect(refusing.recordMessage(input).question).toBeNull();
    expect(granting.recordMessage(input).question).toBe(`goi ${MASK_LABEL.phone}`);
  });

  it("should treat a blank reason as none and drop the reason when the rating changes", () => {
    const key = consented("web", "2");
    const log = createMessageLog(db, { now, hasGrantedConsent: () => true });
    const message = log.recordMessage({ userKey: key, channel: "web", question: "wifi", kind: "faq", confidence: 1, commune: null, sources: [], latencyMs: 1 });
    const reasons = () => db.prepare("SELECT rating, reason FROM feedback").all();
    log.recordFeedback({ messageId: message.id, userKey: key, rating: "down", reason: "   " });
    expect(reasons()).toEqual([{ rating: "down", reason: null }]);
    log.recordFeedback({ messageId: message.id, userKey: key, rating: "down", reason: "sai dia chi" });
    log.recordFeedback({ messageId: message.id, userKey: key, rating: "up", reason: null });
    log.recordFeedback({ messageId: message.id, userKey: key, rating: "down" });
    expect(reasons()).toEqual([{ rating: "down", reason: null }]);
    expect(log.getMessage(message.id + 1)).toBeUndefined();
  });
});

describe("StaffQueue", () => {
  it("should refuse unknown items with the codes the console and channels expect", () => {
    const queue = createStaffQueue(db, { now, hasGrantedConsent: () => true });
    expect(code(() => queue.closeQueueItem(404, "can-bo"))).toBe("QUEUE_ITEM_UNKNOWN");
    expect(code(() => queue.answerQueueItem(404, "tra loi", "can-bo"))).toBe("NOT_FOUND");
    expect(code(() => queue.markDelivered(404, true))).toBe("NOT_FOUND");
    expect(code(() => queue.markDelivered(404, false))).toBe("NOT_FOUND");
    expect(queue.getQueueItem(404)).toBeUndefined();
  });

  it("should ask for consent before anything else, and refuse unknown users or messages", () => {
    const residents = createResidentRecords(db, { secret: SECRET, now });
    const queue = createStaffQueue(db, { now, hasGrantedConsent: consentCheck(residents) });
    const item = { channel: "zalo" as const, question: "cau hoi", reason: "requested" as const };
    expect(code(() => queue.enqueue({ ...item, userKey: "khong-co" }))).toBe("CONSENT_REQUIRED");
    const trusting = createStaffQueue(db, { now, hasGrantedConsent: () => true });
    expect(code(() => trusting.enqueue({ ...item, userKey: "khong-co" }))).toBe("NOT_FOUND");
    expect(code(() => queue.enqueue({ ...item, userKey: consented("zalo", "3"), messageId: 999 }))).toBe("NOT_FOUND");
    expect(db.prepare("SELECT count(*) FROM staff_queue").pluck().get()).toBe(0);
  });

  it("should read a limit of 0 as none and round a fractional limit down", () => {
    const queue = createStaffQueue(db, { now, hasGrantedConsent: () => true });
    const key = consented("telegram", "4");
    for (const q of ["a", "b", "c"]) queue.enqueue({ userKey: key, channel: "telegram", question: q, reason: "unanswered" });
    expect(queue.listQueue({ limit: 0 })).toEqual([]);
    expect(queue.listQueue({ limit: 2.9 }).map((i) => i.question)).toEqual(["a", "b"]);
    expect(queue.listQueue({ limit: -5 })).toEqual([]);
    expect(queue.listQueue({ channel: "zalo" })).toEqual([]);
  });
});

describe("ConversationState and Credentials", () => {
  it("should refuse values that are not JSON and stamp each write", () => {
    const state = createConversationState(db, { now });
    const credentials = createCredentials(db, { now });
    expect(() => state.setState("k", undefined)).toThrow(TypeError);
    expect(() => state.setState("k", () => 1)).toThrow(TypeError);
    expect(() => credentials.setCredential("zalo", undefined)).toThrow(TypeError);
    state.setState("k", [1, "hai"]);
    credentials.setCredential("zalo", { accessToken: "a" });
    clock = new Date("2026-12-02T00:00:00.000Z");
    state.setState("k", null);
    expect(state.getState("k")).toBeNull();
    expect(db.prepare("SELECT updated_at FROM state WHERE key = 'k'").pluck().get()).toBe("2026-12-02T00:00:00.000Z");
    expect(db.prepare("SELECT updated_at FROM credentials WHERE name = 'zalo'").pluck().get()).toBe("2026-12-01T01:00:00.000Z");
    state.deleteState("k");
    state.deleteState("k");
    expect(state.getState("k")).toBeUndefined();
    expect(credentials.getCredential("khac")).toBeUndefined();
  });
});

describe("EventLog", () => {
  it("should share its ids with the job queue over the same connection", () => {
    const events = createEventLog(db, { now });
    const jobs = createSqliteJobQueue(db, { secret: SECRET, now });
    expect(jobs.enqueue({ channel: "zalo", eventId: "e1", orderKey: "u", payload: {} })).toBe(true);
    expect(events.markEventSeen("zalo", "e1")).toBe(false);
    expect(events.markEventSeen("zalo", "e2")).toBe(true);
    expect(jobs.enqueue({ channel: "zalo", eventId: "e2", orderKey: "u", payload: {} })).toBe(false);
  });
});

describe("StaffAccounts", () => {
  it("should sort accounts, stamp sign-ins from the clock and report unknown names", () => {
    const staff = createStaffAccounts(db, { now });
    staff.createStaff("thu", "h1");
    staff.createStaff("an", "h2");
    expect(staff.listStaff().map((s) => s.username)).toEqual(["an", "thu"]);
    expect(staff.countStaff()).toBe(2);
    clock = new Date("2026-12-03T02:00:00.000Z");
    staff.recordStaffLogin("an");
    expect(staff.getStaffCredentials("an")).toEqual({
      account: { username: "an", disabled: false, createdAt: "2026-12-01T01:00:00.000Z", lastLoginAt: "2026-12-03T02:00:00.000Z" },
      passwordHash: "h2",
    });
    expect(staff.setStaffDisabled("khong-co", true)).toBe(false);
    expect(staff.setStaffPassword("khong-co", "h")).toBe(false);
    expect(staff.getStaffCredentials("khong-co")).toBeUndefined();
    expect(code(() => staff.createStaff("an", "h3"))).toBe("STAFF_EXISTS");
  });
});

describe("UsageStatistics", () => {
  it("should refuse day counts outside 1..366 and report an empty database as zeros", () => {
    const statistics = createUsageStatistics(db, { now });
    for (const days of [0, 367, 1.5, Number.NaN]) expect(() => statistics.stats({ days })).toThrow(RangeError);
    const stats = statistics.stats({ days: 2 });
    expect(stats.perDay).toEqual([
      { day: "2026-11-30", questions: 0, handoffs: 0 },
      { day: "2026-12-01", questions: 0, handoffs: 0 },
    ]);
    expect(stats).toMatchObject({ bySource: [], feedback: { up: 0, down: 0 }, topQuestions: [], lowestConfidence: [], queue: { open: 0, answered: 0, undelivered: 0 } });
  });

  it("should group the most asked questions without case, diacritics or punctuation, showing the latest wording", () => {
    const key = consented("zalo", "5");
    const log = createMessageLog(db, { now, hasGrantedConsent: () => true });
    for (const question of ["Wifi xã ở đâu?", "wifi xa o dau", "WIFI XÃ Ở ĐÂU!!", "giờ làm việc", "???"]) {
      log.recordMessage({ userKey: key, channel: "zalo", question, kind: "clarify", confidence: 0.5, commune: null, sources: [], latencyMs: 1 });
    }
    const stats = createUsageStatistics(db, { now }).stats({ days: 1, top: 5 });
    expect(stats.topQuestions).toEqual([
      { question: "WIFI XÃ Ở ĐÂU!!", count: 3 },
      { question: "giờ làm việc", count: 1 },
    ]);
    expect(stats.byKind.clarify).toBe(5);
    expect(stats.lowestConfidence).toHaveLength(5);
  });
});

describe("Maintenance", () => {
  it("should report health until closed, close twice safely, and refuse a bad retention period", () => {
    const maintenance = createMaintenance(db, { now });
    expect(maintenance.health()).toEqual({ ok: true, schemaVersion: SCHEMA_VERSION, expectedSchemaVersion: SCHEMA_VERSION });
    expect(() => maintenance.purge(Number.NaN)).toThrow(RangeError);
    expect(maintenance.purge(0)).toEqual({ messages: 0, feedback: 0, queue: 0, state: 0 });
    maintenance.close();
    maintenance.close();
    expect(maintenance.health()).toEqual({ ok: false, schemaVersion: null, expectedSchemaVersion: SCHEMA_VERSION, error: "closed" });
  });

  it("should purge what the other ports wrote before the cutoff only", () => {
    const state = createConversationState(db, { now });
    state.setState("old", 1);
    clock = new Date("2026-12-10T01:00:00.000Z");
    state.setState("new", 2);
    expect(createMaintenance(db, { now }).purge(5)).toEqual({ messages: 0, feedback: 0, queue: 0, state: 1 });
    expect(state.getState("old")).toBeUndefined();
    expect(state.getState("new")).toBe(2);
  });
});
