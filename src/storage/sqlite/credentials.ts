/** Credentials over the store's connection: rotating service credentials (JSON), each replaced whole. */
import type Database from "better-sqlite3";
import type { Credentials } from "../../core/store.js";
import type { StoreClock } from "./rows.js";

export function createCredentials(db: Database.Database, options: StoreClock): Credentials {
  const stamp = (): string => options.now().toISOString();
  const sql = {
    getCredential: db.prepare<[string], { value: string }>("SELECT value FROM credentials WHERE name = ?"),
    setCredential: db.prepare<[string, string, string]>(
      "INSERT INTO credentials (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ),
  };

  return {
    getCredential<T>(name: string): T | undefined {
      const row = sql.getCredential.get(name);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    setCredential<T>(name: string, value: T): void {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new TypeError("credential value is not JSON-serializable");
      sql.setCredential.run(name, json, stamp());
    },
  };
}
