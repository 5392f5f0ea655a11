/**
 * The durable job queue (core/jobs.ts) on SQLite: de-duplication in the enqueue transaction,
 * claims one resident at a time in arrival order, retries with backoff, leases, progress, a
 * restart that takes up what was left, and payloads unreadable at rest.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobInput } from "../../src/core/jobs.js";
import type { Store } from "../../src/core/store.js";
import { DATABASE_FILE, openSqliteStore } from "../../src/storage/sqlite-store.js";

const SECRET = "bi-mat-hang-viec-thu-nghiem";
const LEASE = 60_000;

let dir: string;
let clock: Date;
const stores: Store[] = [];

function open(secret = SECRET): Store {
  const store = openSqliteStore({ dataDir: dir, secret, now: () => clock });
  stores.push(store);
  return store;
}
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const job = (eventId: string, user: string, text = `cau hoi ${eventId}`): JobInput => ({ channel: "zalo", eventId, orderKey: user, payload: { kind: "text", userId: user, text } });
const ids = (store: Store, limit = 10) => store.jobs.claim("zalo", { limit, leaseMs: LEASE }).map((j) => j.eventId);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-jobs-"));
  clock = new Date("2026-12-01T08:00:00Z");
});
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  await rm(dir, { recursive: true, force: true });
});

describe("enqueue", () => {
  it("should store a job once per event id, and mark the event seen in the same commit", () => {
    const store = open();
    expect(store.jobs.enqueue(job("m1", "u1"))).toBe(true);
    expect(store.jobs.enqueue(job("m1", "u1"))).toBe(false);
    expect(store.jobs.enqueue({ ...job("m1", "u1"), payload: { other: true } })).toBe(false);
    expect(store.jobs.pending("zalo")).toBe(1);
    // The same table as markEventSeen: a resend is a duplicate whichever way it is checked.
    expect(store.markEventSeen("zalo", "m1")).toBe(false);
    // Another connection sees both rows: they are committed when enqueue returns.
    const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM seen_events WHERE event_id = 'm1'").pluck().get()).toBe(1);
      expect(db.prepare("SELECT count(*) FROM jobs WHERE event_id = 'm1'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it("should refuse an event seen before (markEventSeen) and keep channels apart", () => {
    const store = open();
    expect(store.markEventSeen("zalo", "m2")).toBe(true);
    expect(store.jobs.enqueue(job("m2", "u1"))).toBe(false);
    expect(store.jobs.enqueue({ ...job("m2", "u1"), channel: "telegram" })).toBe(true);
    expect(store.jobs.pending("zalo")).toBe(0);
    expect(store.jobs.pending("telegram")).toBe(1);
  });
});

describe("claim", () => {
  it("should hand out one job per resident at a time, in arrival order", () => {
    const store = open();
    for (const [e, u] of [["a1", "A"], ["a2", "A"], ["b1", "B"], ["a3", "A"], ["b2", "B"], ["c1", "C"]]) store.jobs.enqueue(job(e as string, u as string));
    const first = store.jobs.claim("zalo", { limit: 10, leaseMs: LEASE });
    expect(first.map((j) => j.eventId)).toEqual(["a1", "b1", "c1"]);
    expect(first[0]?.payload).toEqual({ kind: "text", userId: "A", text: "cau hoi a1" });
    expect(first[0]?.attempts).toBe(1);
    // Running jobs hold their resident's next ones back.
    expect(ids(store)).toEqual([]);
    const [a1, b1] = first;
    store.jobs.complete(a1?.id as number);
    expect(ids(store)).toEqual(["a2"]);
    store.jobs.complete(b1?.id as number);
    expect(ids(store)).toEqual(["b2"]);
    expect(store.jobs.pending("zalo")).toBe(4);
  });

  it("should respect the limit, oldest first", () => {
    const store = open();
    for (let i = 0; i < 5; i++) store.jobs.enqueue(job(`e${i}`, `u${i}`));
    expect(ids(store, 2)).toEqual(["e0", "e1"]);
    expect(ids(store, 2)).toEqual(["e2", "e3"]);
    expect(store.jobs.claim("zalo", { limit: 0, leaseMs: LEASE })).toEqual([]);
  });

  it("should give a job again once its lease ran out (its worker died)", () => {
    const store = open();
    store.jobs.enqueue(job("m1", "u1"));
    expect(store.jobs.claim("zalo", { limit: 1, leaseMs: 1000 })).toHaveLength(1);
    later(999);
    expect(ids(store)).toEqual([]);
    later(1);
    const again = store.jobs.claim("zalo", { limit: 1, leaseMs: 1000 });
    expect(again.map((j) => [j.eventId, j.attempts])).toEqual([["m1", 2]]);
  });
});

describe("retry and progress", () => {
  it("should make a failed job due again after its backoff, still ahead of the resident's next job", () => {
    const store = open();
    store.jobs.enqueue(job("a1", "A"));
    store.jobs.enqueue(job("a2", "A"));
    const [a1] = store.jobs.claim("zalo", { limit: 10, leaseMs: LEASE });
    store.jobs.retry(a1?.id as number, 5_000);
    later(4_999);
    expect(ids(store)).toEqual([]);
    later(1);
    const again = store.jobs.claim("zalo", { limit: 10, leaseMs: LEASE });
    expect(again.map((j) => [j.eventId, j.attempts])).toEqual([["a1", 2]]);
    store.jobs.retry(a1?.id as number, 10_000);
    later(10_000);
    expect(store.jobs.claim("zalo", { limit: 10, leaseMs: LEASE }).map((j) => [j.eventId, j.attempts])).toEqual([["a1", 3]]);
  });

  it("should keep the progress saved by checkpoint and extend the lease", () => {
    const store = open();
    store.jobs.enqueue(job("m1", "u1"));
    const [m1] = store.jobs.claim("zalo", { limit: 1, leaseMs: 1000 });
    expect(m1?.progress).toBeNull();
    later(900);
    store.jobs.checkpoint(m1?.id as number, { replies: ["một", "hai"], next: 1 }, 1000);
    later(900);
    expect(ids(store)).toEqual([]);
    store.jobs.release([m1?.id as number]);
    const [again] = store.jobs.claim("zalo", { limit: 1, leaseMs: 1000 });
    expect(again?.progress).toEqual({ replies: ["một", "hai"], next: 1 });
  });
});

describe("restart", () => {
  it("should take up, after a restart, jobs left waiting and jobs a dead process had claimed", () => {
    let store = open();
    store.jobs.enqueue(job("a1", "A"));
    store.jobs.enqueue(job("a2", "A"));
    store.jobs.enqueue(job("b1", "B"));
    const [a1] = store.jobs.claim("zalo", { limit: 1, leaseMs: LEASE });
    store.jobs.checkpoint(a1?.id as number, { replies: ["x", "y", "z"], next: 2 }, LEASE);
    // The process dies: no complete, no release.
    store.close();

    store = open();
    expect(store.jobs.pending("zalo")).toBe(3);
    expect(store.jobs.recover("zalo", 2 * 24 * 60 * 60 * 1000)).toEqual({ released: 1, expired: 0 });
    const resumed = store.jobs.claim("zalo", { limit: 10, leaseMs: LEASE });
    expect(resumed.map((j) => [j.eventId, j.attempts, j.progress])).toEqual([
      ["a1", 2, { replies: ["x", "y", "z"], next: 2 }],
      ["b1", 1, null],
    ]);
    store.jobs.complete(resumed[0]?.id as number);
    expect(ids(store)).toEqual(["a2"]);
  });

  it("should drop, at start, jobs older than the given age", () => {
    let store = open();
    store.jobs.enqueue(job("old", "A"));
    later(60_000);
    store.jobs.enqueue(job("new", "B"));
    store.close();
    store = open();
    expect(store.jobs.recover("zalo", 30_000)).toEqual({ released: 0, expired: 1 });
    expect(ids(store)).toEqual(["new"]);
  });
});

describe("privacy at rest", () => {
  it("should keep payloads and progress out of the database file and its WAL in clear", async () => {
    const store = open();
    const typed = "Số điện thoại 0912 345 678 của tôi có dùng được không";
    store.jobs.enqueue(job("m1", "8123456789012345678", typed));
    const [m1] = store.jobs.claim("zalo", { limit: 1, leaseMs: LEASE });
    store.jobs.checkpoint(m1?.id as number, { replies: [`Trả lời: ${typed}`], next: 0 }, LEASE);
    expect(m1?.payload).toMatchObject({ text: typed });
    for (const file of (await readdir(dir)).filter((f) => f.includes(".sqlite"))) {
      const bytes = (await readFile(path.join(dir, file))).toString("utf8");
      expect(bytes.includes("0912 345 678"), file).toBe(false);
      expect(bytes.includes("8123456789012345678"), file).toBe(false);
    }
    store.jobs.complete(m1?.id as number);
    expect(store.jobs.pending("zalo")).toBe(0);
  });

  it("should hand out a job it cannot decrypt (another secret) with no payload", () => {
    let store = open();
    store.jobs.enqueue(job("m1", "u1"));
    store.close();
    store = open("mot-bi-mat-khac-han-hoan-toan");
    const [m1] = store.jobs.claim("zalo", { limit: 1, leaseMs: LEASE });
    expect(m1?.eventId).toBe("m1");
    expect(m1?.payload).toBeUndefined();
  });
});
