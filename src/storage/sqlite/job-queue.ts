/**
 * The channels' durable job queue (core/jobs.ts) on the shared SQLite connection: table `jobs`
 * (migration 5) next to `seen_events`, so accepting an event is one transaction.
 *
 * Payload and progress are encrypted with AES-256-GCM under a key derived from the user-key
 * secret, bound to the job's channel and event id: what a resident typed is never in the
 * database file or its WAL in clear, not even for the seconds a job lives (the rest of the store
 * keeps only masked text). The order key is stored as a keyed hash.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import type { Job, JobInput, JobQueue } from "../../core/jobs.js";
import { SEEN_EVENT_DAYS, type Channel } from "../../core/store.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface JobRow {
  id: number;
  channel: Channel;
  event_id: string;
  payload: Buffer;
  progress: Buffer | null;
  attempts: number;
  created_at: number;
}

export interface SqliteJobQueueOptions {
  /** The user-key secret; the encryption and hashing keys are derived from it. */
  readonly secret: string;
  /** The store's clock. */
  readonly now: () => Date;
}

type Part = "payload" | "progress";

/**
 * AES-256-GCM under a key derived from the secret, each value bound to its job's channel, event
 * id and part (payload or progress); order keys become keyed hashes.
 */
function createJobCipher(secret: string) {
  const derive = (label: string) => createHmac("sha256", secret).update(label).digest();
  const dataKey = derive("tro-ly-so/jobs/payload/v1");
  const orderKeyHash = derive("tro-ly-so/jobs/order/v1");
  const aad = (channel: Channel, eventId: string, part: Part) => Buffer.from(`${channel}\n${eventId}\n${part}`, "utf8");

  return {
    seal(value: unknown, channel: Channel, eventId: string, part: Part): Buffer {
      const json = JSON.stringify(value ?? null);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
      cipher.setAAD(aad(channel, eventId, part));
      const body = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    /** The value, or undefined when it cannot be decrypted (another secret, a damaged row). */
    open(blob: Buffer, channel: Channel, eventId: string, part: Part): unknown {
      try {
        const decipher = createDecipheriv("aes-256-gcm", dataKey, blob.subarray(0, IV_BYTES));
        decipher.setAAD(aad(channel, eventId, part));
        decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const json = Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
        return JSON.parse(json) as unknown;
      } catch {
        return undefined;
      }
    },
    orderKey: (channel: Channel, orderKey: string) => createHmac("sha256", orderKeyHash).update(`${channel}\n${orderKey}`).digest("hex"),
  };
}

/** Job queue over an open, migrated connection (the store's). */
export function createSqliteJobQueue(db: Database.Database, options: SqliteJobQueueOptions): JobQueue {
  const now = () => options.now().getTime();
  const cipher = createJobCipher(options.secret);

  const sql = {
    purgeSeen: db.prepare<[string]>("DELETE FROM seen_events WHERE at < ?"),
    markSeen: db.prepare<[string, string, string]>("INSERT OR IGNORE INTO seen_events (channel, event_id, at) VALUES (?, ?, ?)"),
    insert: db.prepare<[Channel, string, string, Buffer, number, number]>(
      "INSERT INTO jobs (channel, event_id, order_key, payload, run_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    // Due, not leased, and the earliest job left of its order key (an earlier one running or
    // waiting for a retry holds the later ones back).
    due: db.prepare<[{ channel: Channel; now: number; limit: number }], { id: number }>(`
      SELECT j.id FROM jobs j
      WHERE j.channel = @channel AND j.run_at <= @now AND (j.lease_until IS NULL OR j.lease_until <= @now)
        AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.channel = j.channel AND e.order_key = j.order_key AND e.id < j.id)
      ORDER BY j.id LIMIT @limit`),
    lease: db.prepare<[number, number], JobRow>(
      "UPDATE jobs SET lease_until = ?, attempts = attempts + 1 WHERE id = ? RETURNING id, channel, event_id, payload, progress, attempts, created_at",
    ),
    keys: db.prepare<[number], { channel: Channel; event_id: string }>("SELECT channel, event_id FROM jobs WHERE id = ?"),
    checkpoint: db.prepare<[Buffer, number, number]>("UPDATE jobs SET progress = ?, lease_until = ? WHERE id = ?"),
    complete: db.prepare<[number]>("DELETE FROM jobs WHERE id = ?"),
    retry: db.prepare<[number, number]>("UPDATE jobs SET lease_until = NULL, run_at = ? WHERE id = ?"),
    release: db.prepare<[number]>("UPDATE jobs SET lease_until = NULL WHERE id = ?"),
    releaseAll: db.prepare<[Channel]>("UPDATE jobs SET lease_until = NULL WHERE channel = ? AND lease_until IS NOT NULL"),
    expire: db.prepare<[Channel, number]>("DELETE FROM jobs WHERE channel = ? AND created_at < ?"),
    pending: db.prepare<[Channel], { n: number }>("SELECT count(*) AS n FROM jobs WHERE channel = ?"),
  };

  const enqueue = db.transaction((input: JobInput, at: number): boolean => {
    // Old ids are dropped as new ones arrive, as EventLog.markEventSeen does.
    sql.purgeSeen.run(new Date(at - SEEN_EVENT_DAYS * DAY_MS).toISOString());
    if (sql.markSeen.run(input.channel, input.eventId, new Date(at).toISOString()).changes === 0) return false;
    const orderKey = cipher.orderKey(input.channel, input.orderKey);
    sql.insert.run(input.channel, input.eventId, orderKey, cipher.seal(input.payload, input.channel, input.eventId, "payload"), at, at);
    return true;
  });

  const claim = db.transaction((channel: Channel, limit: number, leaseMs: number): Job[] => {
    const at = now();
    const ids = sql.due.all({ channel, now: at, limit }).map((r) => r.id);
    const jobs: Job[] = [];
    for (const id of ids) {
      const row = sql.lease.get(at + leaseMs, id);
      if (!row) continue;
      jobs.push({
        id: row.id,
        channel: row.channel,
        eventId: row.event_id,
        payload: cipher.open(row.payload, row.channel, row.event_id, "payload"),
        progress: row.progress === null ? null : (cipher.open(row.progress, row.channel, row.event_id, "progress") ?? null),
        attempts: row.attempts,
        enqueuedAt: row.created_at,
      });
    }
    return jobs;
  });

  const releaseMany = db.transaction((ids: readonly number[]) => {
    for (const id of ids) sql.release.run(id);
  });

  const recover = db.transaction((channel: Channel, cutoff: number) => ({
    expired: sql.expire.run(channel, cutoff).changes,
    released: sql.releaseAll.run(channel).changes,
  }));

  return {
    enqueue: (input) => enqueue.immediate(input, now()),

    claim(channel, { limit, leaseMs }) {
      if (limit < 1) return [];
      return claim.immediate(channel, Math.floor(limit), leaseMs);
    },

    checkpoint(id, progress, leaseMs) {
      const keys = sql.keys.get(id);
      if (!keys) return;
      sql.checkpoint.run(cipher.seal(progress, keys.channel, keys.event_id, "progress"), now() + leaseMs, id);
    },

    complete(id) {
      sql.complete.run(id);
    },

    retry(id, delayMs) {
      sql.retry.run(now() + Math.max(0, delayMs), id);
    },

    release(ids) {
      if (ids.length) releaseMany.immediate(ids);
    },

    recover: (channel, maxAgeMs) => recover.immediate(channel, now() - maxAgeMs),

    pending: (channel) => (sql.pending.get(channel) as { n: number }).n,
  };
}
