/**
 * EventLog over the store's connection: ids of accepted incoming events (table `seen_events`,
 * shared with the job queue), kept SEEN_EVENT_DAYS days.
 */
import type Database from "better-sqlite3";
import { SEEN_EVENT_DAYS, type EventLog } from "../../core/store.js";
import { DAY_MS, type StoreClock } from "./rows.js";

export function createEventLog(db: Database.Database, options: StoreClock): EventLog {
  const sql = {
    markSeen: db.prepare<[string, string, string]>("INSERT OR IGNORE INTO seen_events (channel, event_id, at) VALUES (?, ?, ?)"),
    purgeSeen: db.prepare<[string]>("DELETE FROM seen_events WHERE at < ?"),
  };

  return {
    markEventSeen(channel, eventId) {
      const at = options.now();
      // Old ids are dropped as new ones arrive, so the table stays small without a separate job.
      sql.purgeSeen.run(new Date(at.getTime() - SEEN_EVENT_DAYS * DAY_MS).toISOString());
      return sql.markSeen.run(channel, eventId, at.toISOString()).changes === 1;
    },
  };
}
