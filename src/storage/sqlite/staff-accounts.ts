/** StaffAccounts over the store's connection: console accounts (password hashes are read only for sign-in). */
import type Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import type { StaffAccount, StaffAccounts } from "../../core/store.js";
import type { StoreClock } from "./rows.js";

interface StaffRow {
  username: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

function toStaff(row: StaffRow): StaffAccount {
  return { username: row.username, disabled: row.disabled === 1, createdAt: row.created_at, lastLoginAt: row.last_login_at };
}

export function createStaffAccounts(db: Database.Database, options: StoreClock): StaffAccounts {
  const stamp = (): string => options.now().toISOString();
  const sql = {
    insertStaff: db.prepare<[string, string, string]>("INSERT INTO staff (username, password_hash, created_at) VALUES (?, ?, ?)"),
    getStaff: db.prepare<[string], StaffRow>("SELECT * FROM staff WHERE username = ?"),
    listStaff: db.prepare<[], StaffRow>("SELECT * FROM staff ORDER BY username"),
    countStaff: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM staff"),
    setStaffDisabled: db.prepare<[number, string]>("UPDATE staff SET disabled = ? WHERE username = ?"),
    setStaffPassword: db.prepare<[string, string]>("UPDATE staff SET password_hash = ? WHERE username = ?"),
    staffLogin: db.prepare<[string, string]>("UPDATE staff SET last_login_at = ? WHERE username = ?"),
  };

  return {
    createStaff(username, passwordHash) {
      try {
        sql.insertStaff.run(username, passwordHash, stamp());
      } catch (err) {
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new AppError("STAFF_EXISTS", `staff ${username} exists`);
        throw err;
      }
      return toStaff(sql.getStaff.get(username) as StaffRow);
    },

    getStaffCredentials(username) {
      const row = sql.getStaff.get(username);
      return row ? { account: toStaff(row), passwordHash: row.password_hash } : undefined;
    },

    listStaff: () => sql.listStaff.all().map(toStaff),
    countStaff: () => (sql.countStaff.get() as { n: number }).n,
    setStaffDisabled: (username, disabled) => sql.setStaffDisabled.run(disabled ? 1 : 0, username).changes === 1,
    setStaffPassword: (username, passwordHash) => sql.setStaffPassword.run(passwordHash, username).changes === 1,
    recordStaffLogin(username) {
      sql.staffLogin.run(stamp(), username);
    },
  };
}
