/**
 * npm run backup [-- --out <dir>]: an online backup of what cannot be rebuilt, into
 * `backups/tro-ly-so-YYYYMMDD-HHMMSS.tar.gz` (local time):
 *
 *   data/tro-ly-so.sqlite            the database, written with SQLite's `VACUUM INTO` (a fresh
 *                                    file holding only live rows: nothing a resident deleted),
 *                                    safe while the service runs
 *   data/user-key.secret             the key behind the pseudonymous user ids (when it is a file)
 *   knowledge/faq/cua-can-bo-xa.md   the FAQ entries commune officials saved from the console
 *   manifest.json                    schema version, row counts, size and sha256 of each file
 *
 * The search index is not included: the service rebuilds it from `knowledge/` when needed.
 * The archive holds the user-key secret and Zalo tokens, so it is written with mode 0600.
 * Archives in the same folder older than RETENTION_DAYS are deleted afterwards (expireBackups),
 * so deleted and expired data does not outlive the retention period in backups.
 * `npm run restore` (restore.ts) verifies and puts an archive back.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import * as tar from "tar";
import { z } from "zod/v4";
import { loadConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import { STAFF_FAQ_FILE } from "../storage/staff-faq.js";
import { checkDatabaseFile, DATABASE_FILE, SECRET_FILE } from "../storage/sqlite-store.js";
import { userVersion } from "../storage/migrations.js";

/** Where each backed-up file sits inside the archive (POSIX paths). */
export const ARCHIVE_PATHS = {
  database: `data/${DATABASE_FILE}`,
  secret: `data/${SECRET_FILE}`,
  faq: `knowledge/${STAFF_FAQ_FILE.split(path.sep).join("/")}`,
} as const;
export type ArchiveFileKind = keyof typeof ARCHIVE_PATHS;
export const MANIFEST_FILE = "manifest.json";
const ARCHIVE_PATH_VALUES = Object.values(ARCHIVE_PATHS) as [string, ...string[]];

/** `manifest.json` of a backup archive. */
export const BackupManifestSchema = z.object({
  format: z.literal(1),
  app: z.literal("tro-ly-so"),
  createdAt: z.string(),
  /** PRAGMA user_version of the backed-up database. */
  schemaVersion: z.number().int().nonnegative(),
  /** Rows per table at the moment of the backup. */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  files: z
    .array(z.object({ path: z.enum(ARCHIVE_PATH_VALUES), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
    .min(1),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** An operator-facing failure of backup or restore; `message` is Vietnamese, printed as is. */
export class OpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OpsError";
  }
}

/** Hex sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Rows per user table of an open database. */
export function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => r.name);
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`).pluck().get() as number]));
}

/** Runs SQLite's integrity check; throws OpsError unless it says "ok". */
export function checkIntegrity(db: Database.Database, what: string): void {
  const result = db.pragma("integrity_check", { simple: true });
  if (result !== "ok") throw new OpsError(`${what}: cơ sở dữ liệu bị hỏng (integrity_check: ${String(result).slice(0, 200)}).`);
}

const pad = (n: number) => String(n).padStart(2, "0");
/** `YYYYMMDD-HHMMSS` in local time. */
export function backupStamp(at: Date): string {
  return `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
}

export interface BackupOptions {
  readonly dataDir: string;
  readonly knowledgeDir: string;
  /** Directory receiving the archive (created with mode 0700); default `./backups`. */
  readonly outDir: string;
  readonly now?: Date;
}

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly manifest: BackupManifest;
}

/** Writes a dated backup archive; see the module comment for what it holds. */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const dataDir = path.resolve(options.dataDir);
  const knowledgeDir = path.resolve(options.knowledgeDir);
  const outDir = path.resolve(options.outDir);
  const now = options.now ?? new Date();
  const dbFile = path.join(dataDir, DATABASE_FILE);
  // A lost database must not be backed up as an empty one (expiry would then delete the good backups).
  try {
    checkDatabaseFile(dataDir);
  } catch (err) {
    throw new OpsError(`Cơ sở dữ liệu ${dbFile} đã mất hoặc rỗng: không sao lưu, các bản sao lưu cũ được giữ nguyên. Khôi phục bằng npm run restore.`, { cause: err });
  }
  if (!existsSync(dbFile)) throw new OpsError(`Không có cơ sở dữ liệu ${dbFile} (DATA_DIR đúng chưa? dịch vụ đã chạy lần nào chưa?).`);
  if ((await stat(dbFile)).size === 0) throw new OpsError(`Cơ sở dữ liệu ${dbFile} rỗng (0 byte): không có gì để sao lưu.`);

  await mkdir(outDir, { recursive: true, mode: 0o700 });
  // Staging inside outDir: same file system as the archive, and mkdtemp makes it 0700.
  const staging = await mkdtemp(path.join(outDir, ".staging-"));
  try {
    const target = (kind: ArchiveFileKind) => path.join(staging, ...ARCHIVE_PATHS[kind].split("/"));
    await mkdir(path.dirname(target("database")), { recursive: true });
    await mkdir(path.dirname(target("faq")), { recursive: true });

    // VACUUM INTO writes the rows of one read snapshot (the WAL included) into a new file while the
    // service keeps reading and writing. Unlike a page copy (db.backup()), it carries no free
    // space, so nothing deleted before the backup, even before secure_delete was on, is in it.
    const source = new Database(dbFile, { fileMustExist: true });
    try {
      source.pragma("busy_timeout = 5000");
      source.prepare("VACUUM INTO ?").run(target("database"));
    } finally {
      source.close();
    }
    let schemaVersion: number;
    let counts: Record<string, number>;
    const copy = new Database(target("database"));
    try {
      // A rollback-journal file is self-contained (no -wal beside it); the service turns WAL back on.
      copy.pragma("journal_mode = DELETE");
      checkIntegrity(copy, "Bản sao");
      schemaVersion = userVersion(copy);
      counts = tableCounts(copy);
    } finally {
      copy.close();
    }

    const included: ArchiveFileKind[] = ["database"];
    const secretFile = path.join(dataDir, SECRET_FILE);
    if (existsSync(secretFile)) {
      await copyFile(secretFile, target("secret"));
      await chmod(target("secret"), 0o600);
      included.push("secret");
    }
    const faqFile = path.join(knowledgeDir, STAFF_FAQ_FILE);
    if (existsSync(faqFile)) {
      await copyFile(faqFile, target("faq"));
      included.push("faq");
    }

    const files = [];
    for (const kind of included) {
      files.push({ path: ARCHIVE_PATHS[kind], bytes: (await stat(target(kind))).size, sha256: await sha256File(target(kind)) });
    }
    const manifest: BackupManifest = { format: 1, app: "tro-ly-so", createdAt: now.toISOString(), schemaVersion, counts, files };
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    const partial = path.join(staging, "archive.tar.gz");
    await tar.create({ gzip: true, file: partial, cwd: staging, portable: true }, [MANIFEST_FILE, ...files.map((f) => f.path)]);
    await chmod(partial, 0o600);
    const base = `tro-ly-so-${backupStamp(now)}`;
    let file = path.join(outDir, `${base}.tar.gz`);
    for (let n = 2; existsSync(file); n++) file = path.join(outDir, `${base}-${n}.tar.gz`);
    await rename(partial, file);
    return { file, bytes: (await stat(file)).size, manifest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Name of the archives `createBackup` writes. */
export const ARCHIVE_NAME = /^tro-ly-so-\d{8}-\d{6}(?:-\d+)?\.tar\.gz$/;

/** Deletes all but the newest `keep` backup archives in `outDir` (by name, i.e. by date); returns the deleted paths. */
export async function pruneBackups(outDir: string, keep: number): Promise<string[]> {
  const names = (await readdir(outDir)).filter((n) => ARCHIVE_NAME.test(n));
  // Same-second suffixes (-2, -3…) sort after the plain name.
  const key = (n: string) => n.replace(/\.tar\.gz$/, "").replace(/^(tro-ly-so-\d{8}-\d{6})$/, "$1-1").replace(/-(\d+)$/, (_m, d: string) => `-${d.padStart(6, "0")}`);
  const sorted = names.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const doomed = sorted.slice(0, Math.max(0, sorted.length - keep)).map((n) => path.join(outDir, n));
  for (const file of doomed) await rm(file, { force: true });
  return doomed;
}

/** The time in an archive's name (local time, as backupStamp writes it); null for other names. */
export function archiveTime(name: string): Date | null {
  const m = /^tro-ly-so-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-\d+)?\.tar\.gz$/.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, sec);
}

/**
 * Deletes the backup archives in `outDir` taken more than `retentionDays` days before `now` (by
 * the time in their name), except `keep` (the archive just written); returns the deleted paths.
 * A resident's deleted data and expired question text thus leave the backups within
 * RETENTION_DAYS, on the schedule backups are taken.
 */
export async function expireBackups(outDir: string, retentionDays: number, now: Date, keep?: string): Promise<string[]> {
  const cutoff = now.getTime() - retentionDays * 24 * 60 * 60 * 1000;
  const doomed = (await readdir(outDir))
    .filter((n) => {
      const at = archiveTime(n);
      return at !== null && at.getTime() < cutoff;
    })
    .map((n) => path.join(outDir, n))
    .filter((f) => keep === undefined || path.resolve(f) !== path.resolve(keep));
  for (const file of doomed) await rm(file, { force: true });
  return doomed;
}

const USAGE = `Cách dùng: npm run backup [-- --out <thư mục>] [--keep <số bản>]
  --out    thư mục chứa tệp sao lưu (mặc định: ./backups)
  --keep   chỉ giữ số bản mới nhất này trong thư mục, xóa các bản cũ hơn (mặc định: giữ tất cả)
Luôn xóa các bản trong thư mục cũ hơn RETENTION_DAYS ngày (thời hạn lưu dữ liệu, mặc định 180).
`;

async function main(argv: string[]): Promise<void> {
  let outDir = "backups";
  let keep: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out" && argv[i + 1]) outDir = argv[++i] as string;
    else if (arg === "--keep" && /^[1-9]\d{0,3}$/.test(argv[i + 1] ?? "")) keep = Number(argv[++i]);
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write(USAGE);
      return;
    } else throw new OpsError(`Không hiểu tham số "${arg}".\n${USAGE}`);
  }
  const config = loadConfig();
  const now = new Date();
  const result = await createBackup({ dataDir: config.storage.DATA_DIR, knowledgeDir: config.knowledge.KNOWLEDGE_DIR, outDir, now });
  const { manifest } = result;
  const rows = Object.entries(manifest.counts).map(([t, n]) => `${t} ${n}`).join(", ");
  process.stderr.write(
    [
      `Đã sao lưu (lược đồ phiên bản ${manifest.schemaVersion}; số dòng: ${rows}).`,
      ...manifest.files.map((f) => `  ${f.path}  ${f.bytes} byte  sha256 ${f.sha256.slice(0, 16)}…`),
      manifest.files.some((f) => f.path === ARCHIVE_PATHS.secret)
        ? "Lưu ý: tệp này chứa khóa mã ẩn danh và token Zalo — cất ở nơi an toàn, không gửi qua mạng xã hội."
        : "Lưu ý: không có data/user-key.secret (khóa đặt bằng USER_KEY_SECRET): hãy giữ cả tệp .env. Tệp sao lưu vẫn chứa token Zalo.",
      "",
    ].join("\n"),
  );
  const expired = await expireBackups(path.resolve(outDir), config.privacy.RETENTION_DAYS, now, result.file);
  if (expired.length) process.stderr.write(`Đã xóa ${expired.length} bản sao lưu cũ hơn ${config.privacy.RETENTION_DAYS} ngày (RETENTION_DAYS).\n`);
  if (keep !== null) {
    const deleted = await pruneBackups(path.resolve(outDir), keep);
    if (deleted.length) process.stderr.write(`Đã xóa ${deleted.length} bản sao lưu cũ (giữ ${keep} bản mới nhất).\n`);
  }
  process.stdout.write(`${result.file}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const message = err instanceof OpsError ? err.message : err instanceof AppError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`Sao lưu không thành công: ${message}\n`);
    process.exit(1);
  });
}
