/**
 * npm run restore -- <archive> [--force] [--check]: puts a backup made by `npm run backup` back.
 *
 * 1. Refuses while the service is running (DATA_DIR/tro-ly-so.pid names a live process).
 * 2. Unpacks into a temporary folder inside DATA_DIR and verifies everything before touching
 *    anything: only known file names, the manifest, each file's size and sha256, SQLite's
 *    integrity check, and a schema version this build can run.
 *    The verified database is then rebuilt (VACUUM), so free pages of an old archive carry nothing.
 * 3. Moves the current files aside as `<file>.before-restore` (the database after a checkpoint,
 *    with any -wal/-shm), then moves the restored ones in. Older `.before-restore` copies are
 *    never overwritten silently: `--force` replaces them.
 *
 * `--check` stops after step 2. The search index is left alone: the service rebuilds it when the
 * restored FAQ file changes the knowledge.
 */
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import * as tar from "tar";
import { loadConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import { SCHEMA_VERSION, userVersion } from "../storage/migrations.js";
import { serviceStatus } from "../storage/pid-file.js";
import { DATABASE_FILE, SECRET_FILE } from "../storage/sqlite-store.js";
import { STAFF_FAQ_FILE } from "../storage/staff-faq.js";
import { ARCHIVE_PATHS, BackupManifestSchema, checkIntegrity, MANIFEST_FILE, OpsError, sha256File, tableCounts, type ArchiveFileKind, type BackupManifest } from "./backup.js";

export const BEFORE_RESTORE_SUFFIX = ".before-restore";

export interface RestoreOptions {
  readonly archive: string;
  readonly dataDir: string;
  readonly knowledgeDir: string;
  /** Replace `.before-restore` copies left by an earlier restore. */
  readonly force?: boolean;
  /** Verify only; change nothing. */
  readonly checkOnly?: boolean;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  /** Absolute paths written (empty with checkOnly). */
  readonly restored: string[];
  /** Absolute paths of the previous files, now `*.before-restore`. */
  readonly movedAside: string[];
}

const KIND_BY_PATH = new Map<string, ArchiveFileKind>(Object.entries(ARCHIVE_PATHS).map(([kind, p]) => [p, kind as ArchiveFileKind]));

/** Unpacks and verifies an archive into `dir`; returns the manifest. Throws OpsError naming the problem. */
async function unpackVerified(archive: string, dir: string): Promise<BackupManifest> {
  const strange: string[] = [];
  try {
    await tar.extract({
      file: archive,
      cwd: dir,
      strict: true,
      // Only the files a backup writes, as plain files: no links, devices or other paths.
      filter: (p, entry) => {
        const name = p.replace(/^\.\//, "");
        const type = "type" in entry ? entry.type : "File";
        const ok = type === "File" && (name === MANIFEST_FILE || KIND_BY_PATH.has(name));
        if (!ok && !(type === "Directory" && /^(data|knowledge|knowledge\/faq)\/?$/.test(name))) strange.push(name);
        return ok;
      },
    });
  } catch (err) {
    throw new OpsError(`Tệp sao lưu hỏng hoặc không phải tệp .tar.gz (${(err as Error).message}).`, { cause: err });
  }
  if (strange.length) throw new OpsError(`Tệp sao lưu có nội dung lạ (${strange.slice(0, 5).join(", ")}): không khôi phục.`);

  let manifest: BackupManifest;
  try {
    manifest = BackupManifestSchema.parse(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), "utf8")));
  } catch (err) {
    throw new OpsError("Tệp sao lưu thiếu manifest.json hoặc manifest.json không hợp lệ.", { cause: err });
  }
  if (!manifest.files.some((f) => f.path === ARCHIVE_PATHS.database)) throw new OpsError("Tệp sao lưu không có cơ sở dữ liệu.");
  for (const p of KIND_BY_PATH.keys()) {
    if (existsSync(path.join(dir, ...p.split("/"))) && !manifest.files.some((f) => f.path === p)) {
      throw new OpsError(`${p} có trong tệp sao lưu nhưng không có trong manifest.json: không khôi phục.`);
    }
  }
  for (const f of manifest.files) {
    const file = path.join(dir, ...f.path.split("/"));
    if (!existsSync(file)) throw new OpsError(`Tệp sao lưu thiếu ${f.path}.`);
    const bytes = (await stat(file)).size;
    const sum = await sha256File(file);
    if (bytes !== f.bytes || sum !== f.sha256) throw new OpsError(`Mã kiểm tra (sha256) của ${f.path} không khớp manifest: tệp sao lưu đã bị sửa hoặc hỏng.`);
  }

  const db = new Database(path.join(dir, ...ARCHIVE_PATHS.database.split("/")), { fileMustExist: true });
  try {
    checkIntegrity(db, ARCHIVE_PATHS.database);
    const version = userVersion(db);
    if (version !== manifest.schemaVersion) throw new OpsError(`Phiên bản lược đồ ${version} khác manifest (${manifest.schemaVersion}).`);
    if (version > SCHEMA_VERSION) throw new OpsError(`Bản sao lưu từ phiên bản mới hơn (lược đồ ${version} > ${SCHEMA_VERSION}): hãy cập nhật mã nguồn trước.`);
    const counts = tableCounts(db);
    for (const [table, n] of Object.entries(manifest.counts)) {
      if (counts[table] !== n) throw new OpsError(`Số dòng bảng ${table} (${counts[table] ?? "không có"}) khác manifest (${n}).`);
    }
  } finally {
    db.close();
  }
  return manifest;
}

/** Renames, or copies then removes when `to` is on another file system (a Docker volume). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Folds the current database's WAL into the main file so its `.before-restore` copy stands alone. */
function checkpoint(dbFile: string): void {
  if (!existsSync(dbFile)) return;
  try {
    const db = new Database(dbFile, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
  } catch {
    // A damaged current database is moved aside as it is, -wal and -shm included.
  }
}

/** Verifies `archive` and, unless checkOnly, restores it. */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const dataDir = path.resolve(options.dataDir);
  const knowledgeDir = path.resolve(options.knowledgeDir);
  const archive = path.resolve(options.archive);
  if (!existsSync(archive)) throw new OpsError(`Không thấy tệp ${archive}.`);

  if (!options.checkOnly) {
    const status = serviceStatus(dataDir);
    if (status.state === "running") {
      throw new OpsError(`Dịch vụ đang chạy (pid ${status.info?.pid}) với DATA_DIR này: hãy dừng dịch vụ trước (ví dụ sudo systemctl stop tro-ly-so) rồi chạy lại.`);
    }
    if (status.state === "unknown") {
      throw new OpsError(
        `${status.file} do một dịch vụ trên máy "${status.info?.hostname}" ghi (pid ${status.info?.pid}). Nếu chắc chắn dịch vụ đó đã dừng, xóa tệp này rồi chạy lại.`,
      );
    }
  }

  await mkdir(dataDir, { recursive: true });
  const staging = await mkdtemp(path.join(dataDir, ".restore-"));
  try {
    const manifest = await unpackVerified(archive, staging);
    if (options.checkOnly) return { manifest, restored: [], movedAside: [] };
    // Archives made before backups were written with VACUUM INTO may hold deleted rows in free
    // pages; rebuilding the verified copy leaves only its live rows.
    const staged = new Database(path.join(staging, ...ARCHIVE_PATHS.database.split("/")), { fileMustExist: true });
    try {
      staged.exec("VACUUM");
    } finally {
      staged.close();
    }

    const targets: Record<ArchiveFileKind, string> = {
      database: path.join(dataDir, DATABASE_FILE),
      secret: path.join(dataDir, SECRET_FILE),
      faq: path.join(knowledgeDir, STAFF_FAQ_FILE),
    };
    const kinds = manifest.files.map((f) => KIND_BY_PATH.get(f.path) as ArchiveFileKind);
    // Every current file that will be replaced, the database's -wal and -shm with it.
    const current = kinds.flatMap((k) => (k === "database" ? [targets.database, `${targets.database}-wal`, `${targets.database}-shm`] : [targets[k]]));
    const leftovers = current.map((f) => `${f}${BEFORE_RESTORE_SUFFIX}`).filter((f) => existsSync(f));
    if (leftovers.length && !options.force) {
      throw new OpsError(`Đã có bản cũ từ lần khôi phục trước: ${leftovers.join(", ")}. Chuyển chúng đi nơi khác, hoặc chạy lại với --force để ghi đè.`);
    }

    checkpoint(targets.database);
    const movedAside: string[] = [];
    const restored: string[] = [];
    try {
      for (const file of current) {
        const aside = `${file}${BEFORE_RESTORE_SUFFIX}`;
        await rm(aside, { force: true });
        if (!existsSync(file)) continue;
        await move(file, aside);
        movedAside.push(file);
      }
      for (const kind of kinds) {
        await mkdir(path.dirname(targets[kind]), { recursive: true });
        await move(path.join(staging, ...ARCHIVE_PATHS[kind].split("/")), targets[kind]);
        if (kind === "secret") await chmod(targets[kind], 0o600);
        restored.push(targets[kind]);
      }
    } catch (err) {
      // Put the previous files back: a half-restored data folder is worse than none.
      for (const file of restored) await rm(file, { force: true });
      for (const file of movedAside) await move(`${file}${BEFORE_RESTORE_SUFFIX}`, file).catch(() => undefined);
      throw new OpsError(`Không khôi phục được (${(err as Error).message}); đã trả lại các tệp cũ.`, { cause: err });
    }
    return { manifest, restored, movedAside: movedAside.map((f) => `${f}${BEFORE_RESTORE_SUFFIX}`) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

const USAGE = `Cách dùng: npm run restore -- <tệp .tar.gz> [--force] [--check]
  --check   chỉ kiểm tra tệp sao lưu (mã sha256, cơ sở dữ liệu), không thay đổi gì
  --force   ghi đè các tệp *.before-restore còn lại từ lần khôi phục trước
Dừng dịch vụ trước khi khôi phục.
`;

async function main(argv: string[]): Promise<void> {
  const flags = new Set(argv.filter((a) => a.startsWith("-")));
  const files = argv.filter((a) => !a.startsWith("-"));
  if (flags.has("-h") || flags.has("--help")) {
    process.stdout.write(USAGE);
    return;
  }
  const unknown = [...flags].filter((f) => f !== "--force" && f !== "--check");
  if (unknown.length || files.length !== 1) throw new OpsError(`${unknown.length ? `Không hiểu tham số ${unknown.join(", ")}.` : "Cần đúng một tệp sao lưu."}\n${USAGE}`);
  const config = loadConfig();
  const result = await restoreBackup({
    archive: files[0] as string,
    dataDir: config.storage.DATA_DIR,
    knowledgeDir: config.knowledge.KNOWLEDGE_DIR,
    force: flags.has("--force"),
    checkOnly: flags.has("--check"),
  });
  const { manifest } = result;
  const rows = Object.entries(manifest.counts).map(([t, n]) => `${t} ${n}`).join(", ");
  const lines = [`Tệp sao lưu hợp lệ: tạo lúc ${manifest.createdAt}, lược đồ phiên bản ${manifest.schemaVersion}, ${manifest.files.length} tệp, mã sha256 khớp; số dòng: ${rows}.`];
  if (!flags.has("--check")) {
    lines.push(...result.restored.map((f) => `  đã khôi phục ${f}`));
    lines.push(...result.movedAside.map((f) => `  bản cũ để ở ${f}`));
    lines.push("Khởi động lại dịch vụ để dùng dữ liệu đã khôi phục.");
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const message = err instanceof OpsError ? err.message : err instanceof AppError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`Khôi phục không thành công: ${message}\n`);
    process.exit(1);
  });
}
