/**
 * The store's database file in the data directory: opening it (pragmas, migrations), the
 * marker that tells a lost database from a new install, the user-key secret, and the WAL
 * truncation that follows every deletion.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import { migrate, userVersion } from "../migrations.js";

/** File name of the database inside the data directory. */
export const DATABASE_FILE = "tro-ly-so.sqlite";
/**
 * Sidecar written next to the database once it has been initialised (schema created). Its
 * presence with a missing or zero-length database means the data was lost, never a new install.
 */
export const DATABASE_MARKER_FILE = `${DATABASE_FILE}.meta.json`;
/** File name of the generated user-key secret inside the data directory (mode 0600). */
export const SECRET_FILE = "user-key.secret";
/** How long a connection waits for another process's write lock before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/** Reads the user-key secret from `file`, creating it with 32 random bytes (hex, 0600) if absent. */
export function loadOrCreateSecret(file: string): string {
  try {
    // "wx" fails when the file exists, so two processes starting together keep one secret.
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length === 0) throw new AppError("CONFIG_INVALID", `${SECRET_FILE} is empty`);
  return secret;
}

/**
 * Throws AppError DATABASE_LOST when `<dataDir>/tro-ly-so.sqlite` is missing or zero-length
 * although DATABASE_MARKER_FILE says it had been initialised: SQLite would silently start a new,
 * empty database there. A new install (no marker) passes.
 */
export function checkDatabaseFile(dataDir: string): void {
  const dbFile = path.join(dataDir, DATABASE_FILE);
  const marker = path.join(dataDir, DATABASE_MARKER_FILE);
  if (!existsSync(marker)) return;
  let size: number | null = null;
  try {
    size = statSync(dbFile).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (size !== null && size > 0) return;
  const what = size === null ? "is missing" : "is empty (0 bytes)";
  const vi = size === null ? "không còn" : "rỗng (0 byte)";
  throw new AppError(
    "DATABASE_LOST",
    `database file ${dbFile} ${what} but ${marker} shows it had been initialised: refusing to start on an empty database. ` +
      "Restore the latest backup with `npm run restore -- backups/<file>.tar.gz` (to start afresh on purpose, delete both files). " +
      `— Tệp cơ sở dữ liệu ${dbFile} ${vi} trong khi ${marker} cho thấy nó đã có dữ liệu: không khởi động với cơ sở dữ liệu trống. ` +
      "Khôi phục bản sao lưu mới nhất: npm run restore -- backups/<tệp>.tar.gz (muốn bắt đầu lại từ đầu thì xóa cả hai tệp).",
  );
}

/** Writes DATABASE_MARKER_FILE once; only its existence counts, so a concurrent or torn write is harmless. */
function writeMarker(dataDir: string, at: string): void {
  const body = {
    app: "tro-ly-so",
    database: DATABASE_FILE,
    initialisedAt: at,
    note: "Cơ sở dữ liệu đã được khởi tạo: nếu tệp cơ sở dữ liệu mất hoặc rỗng, dịch vụ không khởi động (khôi phục bằng npm run restore). Đừng xóa tệp này.",
  };
  try {
    writeFileSync(path.join(dataDir, DATABASE_MARKER_FILE), `${JSON.stringify(body, null, 2)}\n`, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/**
 * Folds the WAL into the database file and truncates it to zero bytes, so that page images
 * written before a deletion (which still hold the deleted text) do not linger in `-wal`. Waits
 * up to the busy timeout for readers of another connection; if one still holds the WAL then, it
 * is truncated at the next deletion, the next retention purge (daily) or when the last
 * connection closes.
 */
export function truncateWal(db: Database.Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * Opens (creating and migrating as needed) `<dataDir>/tro-ly-so.sqlite` (see prepareDataDir for
 * the folder itself). The connection uses WAL, foreign keys, a busy timeout and secure_delete. Refuses
 * (DATABASE_LOST) a missing or empty database that had been initialised; marks a database
 * initialised (after rebuilding one written before secure_delete) the first time it is opened.
 */
export function openDatabase(dataDir: string, stamp: () => string): Database.Database {
  checkDatabaseFile(dataDir);
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // Deleted and overwritten rows are zeroed in their pages, not just unlinked: a resident's
    // deleted questions must not stay readable in the file (or in the WAL once it is truncated).
    db.pragma("secure_delete = ON");
    const existed = userVersion(db) > 0;
    migrate(db);
    if (!existsSync(path.join(dataDir, DATABASE_MARKER_FILE))) {
      // A database from before secure_delete (or restored into a new folder) may hold deleted rows
      // in its free space: rebuilding it once leaves only live rows.
      if (existed) {
        db.exec("VACUUM");
        truncateWal(db);
      }
      writeMarker(dataDir, stamp());
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The data directory, created if missing, and the user-key secret (given, or read from / created in it). */
export function prepareDataDir(dataDir: string, secret: string | undefined): string {
  mkdirSync(dataDir, { recursive: true });
  const key = secret ?? loadOrCreateSecret(path.join(dataDir, SECRET_FILE));
  if (key.length === 0) throw new AppError("CONFIG_INVALID", "user-key secret is empty");
  return key;
}
