/**
 * Maintenance over the store's connection: the retention purge, the health probe and closing.
 *
 * Retention, for rows created (state: last updated) before now - days:
 * - messages: the question text is blanked; the row stays for statistics (kind, confidence, sources).
 * - feedback: the free-text reason is blanked; the rating stays.
 * - staff_queue: answered and closed items are deleted (question, answer and any undelivered raw
 *   address go with them). Open items are kept: a citizen is still waiting for staff, and the
 *   question text is the work item itself.
 * - state: deleted (abandoned sessions and flows).
 * Users and consent history hold no text and are kept; they go only with deleteUser.
 */
import type Database from "better-sqlite3";
import type { Maintenance, RemovalCounts } from "../../core/store.js";
import { SCHEMA_VERSION, userVersion } from "../migrations.js";
import { truncateWal } from "./database.js";
import { DAY_MS, type StoreClock } from "./rows.js";

/** Rows blanked (messages, feedback) or deleted (queue, state) by `purge`, by table. */
export type PurgeCounts = Readonly<Record<"messages" | "feedback" | "queue" | "state", number>>;

export function createMaintenance(db: Database.Database, options: StoreClock): Maintenance {
  const sql = {
    purgeMessages: db.prepare<[string]>("UPDATE messages SET question = NULL WHERE created_at < ? AND question IS NOT NULL"),
    purgeFeedback: db.prepare<[string]>("UPDATE feedback SET reason = NULL WHERE created_at < ? AND reason IS NOT NULL"),
    purgeQueue: db.prepare<[string]>("DELETE FROM staff_queue WHERE created_at < ? AND status IN ('answered', 'closed')"),
    purgeState: db.prepare<[string]>("DELETE FROM state WHERE updated_at < ?"),
  };

  const purge = db.transaction((cutoff: string): PurgeCounts => ({
    messages: sql.purgeMessages.run(cutoff).changes,
    feedback: sql.purgeFeedback.run(cutoff).changes,
    queue: sql.purgeQueue.run(cutoff).changes,
    state: sql.purgeState.run(cutoff).changes,
  }));

  return {
    purge(days, at = options.now()): RemovalCounts {
      if (!Number.isFinite(days) || days < 0) throw new RangeError(`purge days must be a non-negative number, got ${days}`);
      const counts = purge.immediate(new Date(at.getTime() - days * DAY_MS).toISOString());
      // Every run, not only when rows changed: it also finishes a truncation a reader held up earlier.
      truncateWal(db);
      return counts;
    },

    health() {
      if (!db.open) return { ok: false, schemaVersion: null, expectedSchemaVersion: SCHEMA_VERSION, error: "closed" };
      try {
        db.prepare("SELECT 1").pluck().get();
        return { ok: true, schemaVersion: userVersion(db), expectedSchemaVersion: SCHEMA_VERSION };
      } catch (err) {
        return { ok: false, schemaVersion: null, expectedSchemaVersion: SCHEMA_VERSION, error: (err as { code?: string }).code ?? "query failed" };
      }
    },

    close() {
      if (db.open) db.close();
    },
  };
}
