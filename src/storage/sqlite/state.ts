/** ConversationState over the store's connection: one JSON value per key (grammY sessions, flow progress). */
import type Database from "better-sqlite3";
import type { ConversationState } from "../../core/store.js";
import type { StoreClock } from "./rows.js";

export function createConversationState(db: Database.Database, options: StoreClock): ConversationState {
  const stamp = (): string => options.now().toISOString();
  const sql = {
    getState: db.prepare<[string], { value: string }>("SELECT value FROM state WHERE key = ?"),
    setState: db.prepare<[string, string, string]>(
      "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ),
    deleteState: db.prepare<[string]>("DELETE FROM state WHERE key = ?"),
  };

  return {
    getState<T>(key: string): T | undefined {
      const row = sql.getState.get(key);
      // The caller's T is trusted: state is only ever written by setState with the same key.
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    setState<T>(key: string, value: T): void {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new TypeError(`state value for a key is not JSON-serializable (${typeof value})`);
      sql.setState.run(key, json, stamp());
    },

    deleteState(key) {
      sql.deleteState.run(key);
    },
  };
}
