/**
 * npm run backup / npm run restore on temporary data folders: a round trip restores exactly the
 * backed-up data (database rows, user-key secret, officials' FAQ file), archives that were
 * tampered with or carry strange entries are refused, and a live service blocks a restore.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import * as tar from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ARCHIVE_PATHS, archiveTime, createBackup, expireBackups, pruneBackups, type BackupManifest } from "../../../src/cli/backup.js";
import { restoreBackup } from "../../../src/cli/restore.js";
import type { Store } from "../../../src/core/store.js";
import { SCHEMA_VERSION } from "../../../src/storage/migrations.js";
import { PID_FILE, readPidFile } from "../../../src/storage/pid-file.js";
import { DATABASE_FILE, openSqliteStore, SECRET_FILE } from "../../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { runTs, startTs } from "../../helpers/spawn.js";

const FAQ = path.join("faq", "cua-can-bo-xa.md");

let root: string;
let dataDir: string;
let knowledgeDir: string;
let outDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tro-ly-so-backup-"));
  dataDir = path.join(root, "data");
  knowledgeDir = path.join(root, "knowledge");
  outDir = path.join(root, "backups");
  await mkdir(path.join(knowledgeDir, "faq"), { recursive: true });
  await writeFile(path.join(knowledgeDir, FAQ), "# Hỏi đáp của cán bộ xã\n\n## Nộp hồ sơ ở đâu?\n\n- nop ho so o dau\n\nTại bộ phận một cửa.\n");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every row of every table, in a stable order. */
function snapshot(dbFile: string): Record<string, unknown[]> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

/** Writes a little of everything a commune's service keeps. */
function fill(store: Store, tag: string): void {
  const user = store.ensureUser("telegram", `tg-${tag}`);
  store.setConsent(user.key, true, "2026-01");
  const message = store.recordMessage({ userKey: user.key, channel: "telegram", question: `câu hỏi ${tag} gọi 0912 345 678`, kind: "handoff", confidence: 0.2, commune: "cong-hoa", sources: [], latencyMs: 3 });
  store.recordFeedback({ messageId: message.id, userKey: user.key, rating: "down", reason: `lý do ${tag}` });
  store.enqueue({ userKey: user.key, channel: "telegram", question: `hỏi cán bộ ${tag}`, reason: "requested", messageId: message.id, deliveryAddress: `chat-${tag}` });
  store.setState(`flow:${tag}`, { step: 2 });
  store.setCredential("zalo-oa-tokens", { accessToken: `access-${tag}`, refreshToken: `refresh-${tag}`, expiresAt: null });
}

const sha256 = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

describe("backup", () => {
  it("should write a dated 0600 archive with the database, secret, FAQ file and a manifest, while the store is open", async () => {
    const store = openSqliteStore({ dataDir });
    try {
      fill(store, "a");
      store.createStaff("lan", "scrypt$hash");
      const { file, manifest } = await createBackup({ dataDir, knowledgeDir, outDir, now: new Date(2026, 10, 22, 9, 5, 7) });
      expect(path.basename(file)).toBe("tro-ly-so-20261122-090507.tar.gz");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(manifest.schemaVersion).toBe(SCHEMA_VERSION);
      expect(manifest.counts).toMatchObject({ users: 1, consents: 1, messages: 1, feedback: 1, staff_queue: 1, state: 1, credentials: 1, staff: 1 });
      expect(manifest.files.map((f) => f.path).sort()).toEqual(Object.values(ARCHIVE_PATHS).sort());
      const secretEntry = manifest.files.find((f) => f.path === ARCHIVE_PATHS.secret);
      expect(secretEntry?.sha256).toBe(await sha256(path.join(dataDir, SECRET_FILE)));
      expect(manifest.files.find((f) => f.path === ARCHIVE_PATHS.faq)?.sha256).toBe(await sha256(path.join(knowledgeDir, FAQ)));

      // The same second again gets its own file.
      const second = await createBackup({ dataDir, knowledgeDir, outDir, now: new Date(2026, 10, 22, 9, 5, 7) });
      expect(path.basename(second.file)).toBe("tro-ly-so-20261122-090507-2.tar.gz");
      // No staging folders are left behind.
      expect((await readdir(outDir)).sort()).toEqual(["tro-ly-so-20261122-090507-2.tar.gz", "tro-ly-so-20261122-090507.tar.gz"]);
    } finally {
      store.close();
    }
  });

  it("should keep only the newest archives when pruning", async () => {
    const store = openSqliteStore({ dataDir });
    store.close();
    const made = [];
    for (const at of [new Date(2026, 0, 2, 1, 0, 0), new Date(2026, 0, 1, 23, 59, 59), new Date(2026, 0, 2, 1, 0, 0), new Date(2025, 11, 31, 12, 0, 0)]) {
      made.push(path.basename((await createBackup({ dataDir, knowledgeDir, outDir, now: at })).file));
    }
    await writeFile(path.join(outDir, "ghi-chu.txt"), "not an archive\n");
    const deleted = (await pruneBackups(outDir, 2)).map((f) => path.basename(f)).sort();
    expect(deleted).toEqual(["tro-ly-so-20251231-120000.tar.gz", "tro-ly-so-20260101-235959.tar.gz"]);
    const left = (await readdir(outDir)).sort();
    expect(left).toEqual(["ghi-chu.txt", "tro-ly-so-20260102-010000-2.tar.gz", "tro-ly-so-20260102-010000.tar.gz"]);
    expect(made).toContain("tro-ly-so-20260102-010000-2.tar.gz");
    expect((await pruneBackups(outDir, 1)).map((f) => path.basename(f))).toEqual(["tro-ly-so-20260102-010000.tar.gz"]);
  });

  it("should delete the archives older than the retention period, never the one just written", async () => {
    const store = openSqliteStore({ dataDir });
    store.close();
    const now = new Date(2026, 6, 1, 2, 30, 0);
    const at = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
    const names: Record<string, string> = {};
    for (const [label, when] of [["old", at(31)], ["edge", at(30)], ["recent", at(29)], ["now", now]] as const) {
      names[label] = path.basename((await createBackup({ dataDir, knowledgeDir, outDir, now: when })).file);
    }
    expect(archiveTime(names.old as string)).toEqual(at(31));
    await writeFile(path.join(outDir, "tro-ly-so-ghi-chu.txt"), "not an archive\n");

    const deleted = await expireBackups(outDir, 30, new Date(now.getTime() + 1), path.join(outDir, names.now as string));
    expect(deleted.map((f) => path.basename(f)).sort()).toEqual([names.edge, names.old].sort());
    expect((await readdir(outDir)).sort()).toEqual([names.now, names.recent, "tro-ly-so-ghi-chu.txt"].sort());
    // The archive just written stays even when the clock says it is old.
    expect(await expireBackups(outDir, 0, new Date(now.getTime() + 1), path.join(outDir, names.now as string))).toEqual([path.join(outDir, names.recent as string)]);
    expect(await readdir(outDir)).toContain(names.now);
  });

  it("should hold only live rows: a deleted resident's text is not in the archive", async () => {
    const store = openSqliteStore({ dataDir });
    try {
      fill(store, "xoa-ngay-truoc-sao-luu");
      fill(store, "giu-lai");
      store.deleteUser(store.userKey("telegram", "tg-xoa-ngay-truoc-sao-luu"));
      const { file, manifest } = await createBackup({ dataDir, knowledgeDir, outDir });
      const unpacked = path.join(root, "unpacked");
      await mkdir(unpacked);
      await tar.extract({ file, cwd: unpacked });
      const bytes = await readFile(path.join(unpacked, ...ARCHIVE_PATHS.database.split("/")));
      // fill() writes the tag into the resident's question, 👎 reason and staff question (and into rows not about them: state, credentials).
      for (const text of ["câu hỏi xoa-ngay-truoc-sao-luu", "lý do xoa-ngay-truoc-sao-luu", "hỏi cán bộ xoa-ngay-truoc-sao-luu"]) {
        expect(bytes.includes(Buffer.from(text))).toBe(false);
      }
      expect(bytes.includes(Buffer.from("câu hỏi giu-lai"))).toBe(true);
      expect(manifest.counts).toMatchObject({ users: 1, messages: 1 });
    } finally {
      store.close();
    }
  });

  it("should refuse clearly when there is no database", async () => {
    await expect(createBackup({ dataDir, knowledgeDir, outDir })).rejects.toThrow(/Không có cơ sở dữ liệu/);
  });
});

describe("restore", () => {
  async function backedUp(): Promise<{ archive: string; manifest: BackupManifest; before: Record<string, unknown[]>; key: string; secret: string; faq: string }> {
    const store = openSqliteStore({ dataDir });
    fill(store, "a");
    fill(store, "b");
    const key = store.userKey("telegram", "tg-a");
    // Backed up while the store is open: committed rows still in the WAL must be in the archive.
    const { file, manifest } = await createBackup({ dataDir, knowledgeDir, outDir });
    store.close();
    return { archive: file, manifest, before: snapshot(path.join(dataDir, DATABASE_FILE)), key, secret: await readFile(path.join(dataDir, SECRET_FILE), "utf8"), faq: await readFile(path.join(knowledgeDir, FAQ), "utf8") };
  }

  it("should bring back exactly the backed-up data and keep the previous files aside", async () => {
    const saved = await backedUp();
    // Life goes on after the backup: new rows, a deleted user, a new secret, an edited FAQ.
    const store = openSqliteStore({ dataDir });
    fill(store, "c");
    store.deleteUser(saved.key);
    store.close();
    await writeFile(path.join(dataDir, SECRET_FILE), "a-different-secret-0123456789abcdef\n");
    await writeFile(path.join(knowledgeDir, FAQ), "# đã sửa\n");
    const changed = snapshot(path.join(dataDir, DATABASE_FILE));
    expect(changed).not.toEqual(saved.before);

    const result = await restoreBackup({ archive: saved.archive, dataDir, knowledgeDir });
    expect(result.manifest.files).toHaveLength(3);
    expect(snapshot(path.join(dataDir, DATABASE_FILE))).toEqual(saved.before);
    expect(await readFile(path.join(dataDir, SECRET_FILE), "utf8")).toBe(saved.secret);
    expect((await stat(path.join(dataDir, SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(knowledgeDir, FAQ), "utf8")).toBe(saved.faq);
    // Pseudonymous keys are the same as before, so residents keep their consent and queue.
    const reopened = openSqliteStore({ dataDir });
    try {
      expect(reopened.userKey("telegram", "tg-a")).toBe(saved.key);
      expect(reopened.getUser(saved.key)?.consent?.granted).toBe(true);
      expect(reopened.health()).toMatchObject({ ok: true, schemaVersion: SCHEMA_VERSION });
    } finally {
      reopened.close();
    }
    // What was there is kept as *.before-restore, complete (the WAL was folded in first).
    expect(snapshot(path.join(dataDir, `${DATABASE_FILE}.before-restore`))).toEqual(changed);
    expect(await readFile(path.join(knowledgeDir, `${FAQ}.before-restore`), "utf8")).toBe("# đã sửa\n");
    expect(result.movedAside).toContain(path.join(dataDir, `${SECRET_FILE}.before-restore`));
  });

  it("should not overwrite earlier *.before-restore files without --force", async () => {
    const saved = await backedUp();
    await restoreBackup({ archive: saved.archive, dataDir, knowledgeDir });
    const aside = await readFile(path.join(dataDir, `${DATABASE_FILE}.before-restore`));
    await expect(restoreBackup({ archive: saved.archive, dataDir, knowledgeDir })).rejects.toThrow(/--force/);
    expect(await readFile(path.join(dataDir, `${DATABASE_FILE}.before-restore`))).toEqual(aside);
    await restoreBackup({ archive: saved.archive, dataDir, knowledgeDir, force: true });
    expect(snapshot(path.join(dataDir, DATABASE_FILE))).toEqual(saved.before);
  });

  /** Unpacks an archive, lets `edit` change the folder, packs it again. */
  async function repack(archive: string, edit: (dir: string) => Promise<string[]>): Promise<string> {
    const dir = await mkdtemp(path.join(root, "repack-"));
    await tar.extract({ file: archive, cwd: dir });
    const entries = await edit(dir);
    const out = path.join(root, `edited-${path.basename(dir)}.tar.gz`);
    await tar.create({ gzip: true, file: out, cwd: dir }, entries);
    return out;
  }
  const allEntries = ["manifest.json", ...Object.values(ARCHIVE_PATHS)];

  it.each([
    [
      "a database changed after the backup",
      async (dir: string) => {
        const db = new Database(path.join(dir, "data", DATABASE_FILE));
        db.prepare("UPDATE staff_queue SET question = 'sửa trộm'").run();
        db.close();
        return allEntries;
      },
      /sha256.*không khớp/,
    ],
    [
      "a replaced secret",
      async (dir: string) => {
        await writeFile(path.join(dir, "data", SECRET_FILE), "someone-elses-secret-000000000000\n");
        return allEntries;
      },
      /user-key\.secret.*không khớp/,
    ],
    [
      "an extra file",
      async (dir: string) => {
        await writeFile(path.join(dir, "data", "evil.sh"), "echo hi\n");
        return [...allEntries, "data/evil.sh"];
      },
      /nội dung lạ/,
    ],
    [
      "a missing manifest",
      async (dir: string) => {
        await rm(path.join(dir, "manifest.json"));
        return Object.values(ARCHIVE_PATHS);
      },
      /manifest/,
    ],
  ])("should refuse %s and change nothing", async (_name, edit, message) => {
    const saved = await backedUp();
    const tampered = await repack(saved.archive, edit);
    const store = openSqliteStore({ dataDir });
    fill(store, "after");
    store.close();
    const current = snapshot(path.join(dataDir, DATABASE_FILE));
    await expect(restoreBackup({ archive: tampered, dataDir, knowledgeDir })).rejects.toThrow(message);
    expect(snapshot(path.join(dataDir, DATABASE_FILE))).toEqual(current);
    expect(existsSync(path.join(dataDir, `${DATABASE_FILE}.before-restore`))).toBe(false);
    expect((await readdir(dataDir)).filter((f) => f.startsWith(".restore-"))).toEqual([]);
  });

  it("should refuse a file that is not a backup archive", async () => {
    const junk = path.join(root, "junk.tar.gz");
    await writeFile(junk, "this is not gzip at all");
    await expect(restoreBackup({ archive: junk, dataDir, knowledgeDir })).rejects.toThrow(/hỏng/);
    const truncated = path.join(root, "truncated.tar.gz");
    const saved = await backedUp();
    const bytes = await readFile(saved.archive);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(restoreBackup({ archive: truncated, dataDir, knowledgeDir })).rejects.toThrow(/hỏng|thiếu|không khớp|manifest/);
  });

  it("should verify without changing anything with checkOnly", async () => {
    const saved = await backedUp();
    const store = openSqliteStore({ dataDir });
    fill(store, "after");
    store.close();
    const current = snapshot(path.join(dataDir, DATABASE_FILE));
    const result = await restoreBackup({ archive: saved.archive, dataDir, knowledgeDir, checkOnly: true });
    expect(result.restored).toEqual([]);
    expect(snapshot(path.join(dataDir, DATABASE_FILE))).toEqual(current);
  });
});

describe("npm run backup / restore against a running service", () => {
  it("should back up online, refuse to restore while the service runs, and restore once it stopped", async () => {
    // A copy of the knowledge folder: the restore writes the officials' FAQ file into it.
    await rm(knowledgeDir, { recursive: true, force: true });
    await cp(KNOWLEDGE_DIR, knowledgeDir, { recursive: true });
    const env = { DATA_DIR: dataDir, KNOWLEDGE_DIR: knowledgeDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
    const { child, match } = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/);
    try {
      expect(readPidFile(dataDir)?.pid).toBe(child.pid);
      const res = await fetch(`http://127.0.0.1:${match[1]}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "vneid muc 2" }) });
      expect(res.status).toBe(200);

      const backup = await runTs("src/cli/backup.ts", ["--out", outDir], env);
      expect(backup.code).toBe(0);
      const archive = backup.stdout.trim();
      expect(archive).toMatch(/tro-ly-so-\d{8}-\d{6}\.tar\.gz$/);
      expect(backup.stderr).toContain("khóa mã ẩn danh");

      const refused = await runTs("src/cli/restore.ts", [archive], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("Dịch vụ đang chạy");
      expect(refused.stderr).toContain(String(child.pid));
      expect(existsSync(path.join(dataDir, `${DATABASE_FILE}.before-restore`))).toBe(false);

      const check = await runTs("src/cli/restore.ts", ["--check", archive], env);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain("mã sha256 khớp");

      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDir, PID_FILE))).toBe(false);

      const restored = await runTs("src/cli/restore.ts", [archive], env);
      expect(restored.stderr).toBe("");
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain("đã khôi phục");
      expect(existsSync(path.join(dataDir, `${DATABASE_FILE}.before-restore`))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("should treat a pid file left by a killed service as stale", async () => {
    const store = openSqliteStore({ dataDir });
    fill(store, "a");
    store.close();
    const { file } = await createBackup({ dataDir, knowledgeDir, outDir });
    // A pid that cannot be running: larger than any pid_max.
    await writeFile(path.join(dataDir, PID_FILE), JSON.stringify({ pid: 2 ** 30, hostname: hostname(), startedAt: new Date().toISOString() }));
    await expect(restoreBackup({ archive: file, dataDir, knowledgeDir })).resolves.toMatchObject({ restored: expect.any(Array) });
    // Written on another host (a container): not provable, so refused with what to do.
    await writeFile(path.join(dataDir, PID_FILE), JSON.stringify({ pid: 1, hostname: "may-khac", startedAt: new Date().toISOString() }));
    await expect(restoreBackup({ archive: file, dataDir, knowledgeDir, force: true })).rejects.toThrow(/may-khac.*xóa tệp này/);
  });
});
