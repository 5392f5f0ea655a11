/**
 * ResidentRecords over the store's connection: pseudonymous users (a keyed hash of channel and
 * chat id, never the id itself), their consent history and chosen commune, and (resident-data.ts)
 * their export and erasure.
 */
import { createHmac } from "node:crypto";
import type Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import type { Channel, ResidentRecords, UserRecord } from "../../core/store.js";
import { createResidentData } from "./resident-data.js";
import { toUser, type ConsentCheck, type StoreClock, type UserRow } from "./rows.js";

export interface ResidentRecordsOptions extends StoreClock {
  /** HMAC key of the user keys. */
  readonly secret: string;
}

export function createResidentRecords(db: Database.Database, options: ResidentRecordsOptions): ResidentRecords {
  const stamp = (): string => options.now().toISOString();
  const sql = {
    insertUser: db.prepare<[string, Channel, string]>("INSERT OR IGNORE INTO users (key, channel, created_at) VALUES (?, ?, ?)"),
    getUser: db.prepare<[string], UserRow>(`
      SELECT u.key, u.channel, u.commune, u.created_at, c.granted, c.notice_version, c.at
      FROM users u
      LEFT JOIN consents c ON c.id = (SELECT max(id) FROM consents WHERE user_key = u.key)
      WHERE u.key = ?`),
    insertConsent: db.prepare<[string, number, string, string]>("INSERT INTO consents (user_key, granted, notice_version, at) VALUES (?, ?, ?, ?)"),
    setCommune: db.prepare<[string | null, string]>("UPDATE users SET commune = ? WHERE key = ?"),
  };

  function getUser(key: string): UserRecord | undefined {
    const row = sql.getUser.get(key);
    return row ? toUser(row) : undefined;
  }

  function requireUser(key: string): UserRecord {
    const user = getUser(key);
    if (!user) throw new AppError("NOT_FOUND", "unknown user key");
    return user;
  }

  function userKey(channel: Channel, channelUserId: string): string {
    return createHmac("sha256", options.secret).update(`${channel}:${channelUserId}`).digest("hex");
  }

  const { exportUser, deleteUser } = createResidentData(db, getUser);

  return {
    userKey,

    ensureUser(channel, channelUserId) {
      const key = userKey(channel, channelUserId);
      sql.insertUser.run(key, channel, stamp());
      return requireUser(key);
    },

    getUser,

    setConsent(key, granted, noticeVersion) {
      requireUser(key);
      sql.insertConsent.run(key, granted ? 1 : 0, noticeVersion, stamp());
      return requireUser(key);
    },

    setCommune(key, commune) {
      if (sql.setCommune.run(commune, key).changes === 0) throw new AppError("NOT_FOUND", "unknown user key");
    },

    exportUser,
    deleteUser,
  };
}

/** Whether a user's latest consent choice granted storing their text (false for an unknown user). */
export function consentCheck(residents: Pick<ResidentRecords, "getUser">): ConsentCheck {
  return (key) => residents.getUser(key)?.consent?.granted === true;
}
