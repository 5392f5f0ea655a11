/**
 * Deleted data must not stay readable in the files: after a resident's deletion (/xoadulieu on
 * Telegram, "xoa du lieu" on Zalo: `assistant.forget`) and after the retention purge, the bytes of
 * the database file, its `-wal` and a backup taken afterwards hold none of the deleted text, in
 * any form it could have been written in (as typed, masked, NFD, without diacritics). A second
 * resident's text, which must stay, is found by the same scan: the scan itself works.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import * as tar from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ARCHIVE_PATHS, createBackup } from "../../../src/cli/backup.js";
import { createConfig } from "../../../src/config.js";
import type { Resident } from "../../../src/core/assistant.js";
import { maskSensitive } from "../../../src/core/privacy/mask.js";
import { createLogger } from "../../../src/logger.js";
import { startService, type Service } from "../../../src/app/service.js";
import { DATABASE_FILE, openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";

const SECRET = "deleted-data-test-secret-0123456789";
const DAY = 24 * 60 * 60 * 1000;

/** The resident who asks for deletion: a question no one else would type. */
const GONE = "Nhà tôi ở xóm Đồng Quýt Bảy Ba, gọi 0912 345 678 hỏi đăng ký hộ kinh doanh";
/** The resident who stays. */
const KEPT = "Con muốn hỏi thủ tục cấp lại thẻ bảo hiểm y tế ở thôn Lạc Thủy Chín Tư";

/** Every byte form the text could be stored in: as typed, masked, NFD, folded, and short fragments of each. */
function needles(text: string): Buffer[] {
  const masked = maskSensitive(text);
  const folded = text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D");
  const forms = new Set<string>();
  for (const t of [text, masked, folded]) {
    forms.add(t);
    forms.add(t.normalize("NFD"));
  }
  // Fragments: a cell split across pages, or a half-overwritten one, still shows pieces.
  for (const fragment of ["Đồng Quýt Bảy Ba", "Lạc Thủy Chín Tư", "Dong Quyt Bay Ba", "Lac Thuy Chin Tu", "0912 345 678"]) {
    if (folded.includes(fragment) || text.includes(fragment)) forms.add(fragment);
  }
  return [...forms].map((s) => Buffer.from(s, "utf8"));
}

/** How many times any form of `text` occurs in `bytes`. */
function occurrences(bytes: Buffer, text: string): number {
  let n = 0;
  for (const needle of needles(text)) {
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) n++;
  }
  return n;
}

const readIfExists = async (file: string): Promise<Buffer> => (existsSync(file) ? readFile(file) : Buffer.alloc(0));

let root: string;
let dataDir: string;
let service: Service | null = null;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tro-ly-so-deleted-"));
  dataDir = path.join(root, "data");
});
afterEach(async () => {
  await service?.stop();
  service = null;
  await rm(root, { recursive: true, force: true });
});

function start(clock?: () => number): Promise<Service> {
  const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", USER_KEY_SECRET: SECRET, RETENTION_DAYS: "30" });
  return startService(config, createLogger("silent"), clock ? { clock, schedule: () => () => undefined } : { schedule: () => () => undefined });
}

/** A consenting resident asks `text` `times` times, gives 👎 with it as the reason, and sends it to staff. */
async function converse(svc: Service, resident: Resident, text: string, times: number): Promise<void> {
  svc.assistant.setConsent(resident, true);
  for (let i = 0; i < times; i++) {
    const turn = await svc.assistant.ask(resident, `${text} (lần ${i + 1})`);
    svc.assistant.feedback(resident, turn.messageId, "down", `Chưa đúng: ${text}`);
    if (i % 5 === 0) svc.assistant.requestStaff(resident, { text, deliveryAddress: resident.channelUserId });
  }
}

interface Counts {
  readonly gone: number;
  readonly kept: number;
}
interface Scan {
  readonly database: Counts;
  readonly wal: Counts;
  readonly archive?: Counts;
  readonly backupDatabase?: Counts;
}

/** Byte counts of each text in the database file, its -wal, and (unpacked) the database of a backup and the whole archive. */
async function scan(backup?: string): Promise<Scan> {
  const dbFile = path.join(dataDir, DATABASE_FILE);
  const files: Record<string, Buffer> = { database: await readIfExists(dbFile), wal: await readIfExists(`${dbFile}-wal`) };
  if (backup) {
    files.archive = gunzipSync(await readFile(backup));
    const unpacked = path.join(root, "unpacked");
    await rm(unpacked, { recursive: true, force: true });
    await mkdir(unpacked);
    await tar.extract({ file: backup, cwd: unpacked });
    files.backupDatabase = await readFile(path.join(unpacked, ...ARCHIVE_PATHS.database.split("/")));
  }
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, { gone: occurrences(bytes, GONE), kept: occurrences(bytes, KEPT) }])) as unknown as Scan;
}

describe("deleted data in the files", () => {
  it("should leave no trace of a deleted resident's text in the database, its -wal or a later backup", async () => {
    service = await start();
    const gone: Resident = { channel: "telegram", channelUserId: "730001" };
    const kept: Resident = { channel: "zalo", channelUserId: "z-840002" };
    await converse(service, gone, GONE, 40);
    await converse(service, kept, KEPT, 5);

    const before = await scan();
    expect(before.database.gone + before.wal.gone).toBeGreaterThan(0);

    // What /xoadulieu (Telegram) and "xoa du lieu" (Zalo) run after the resident confirms.
    service.assistant.forget(gone);
    expect(service.assistant.myData(gone).known).toBe(false);

    const afterDeletion = await scan();
    // Taken while the service runs, as the nightly timer does.
    const { file } = await createBackup({ dataDir, knowledgeDir: KNOWLEDGE_DIR, outDir: path.join(root, "backups") });
    const withBackup = await scan(file);
    await service.stop();
    service = null;
    const afterStop = await scan();

    console.info(JSON.stringify({ before, afterDeletion, withBackup, afterStop }));
    for (const counts of [afterDeletion, withBackup, afterStop]) {
      for (const [name, c] of Object.entries(counts)) expect({ name, gone: c.gone }).toEqual({ name, gone: 0 });
    }
    // The resident who stays is still there, in the database and in the backup.
    expect(withBackup.database.kept + withBackup.wal.kept).toBeGreaterThan(0);
    expect(withBackup.backupDatabase?.kept).toBeGreaterThan(0);
    expect(afterStop.database.kept).toBeGreaterThan(0);
  });

  it("should leave no trace of text removed by the retention purge in the database or its -wal", async () => {
    const now = Date.now();
    // Written 40 days ago (RETENTION_DAYS = 30) by a second connection with its own clock, as in retention.test.ts.
    const old = openSqliteStore({ dataDir, secret: SECRET, now: () => new Date(now - 40 * DAY) });
    try {
      const user = old.ensureUser("telegram", "730003");
      old.setConsent(user.key, true, "test");
      for (let i = 0; i < 30; i++) {
        const m = old.recordMessage({ userKey: user.key, channel: "telegram", question: `${GONE} (${i})`, kind: "handoff", confidence: 0.1, commune: null, sources: [], latencyMs: 1 });
        old.recordFeedback({ messageId: m.id, userKey: user.key, rating: "down", reason: `Chưa đúng: ${GONE}` });
      }
      const item = old.enqueue({ userKey: user.key, channel: "telegram", question: GONE, reason: "requested" });
      old.answerQueueItem(item.id, "Dạ, xã đã gọi lại.", "can-bo");
    } finally {
      old.close();
    }
    expect((await scan()).database.gone).toBeGreaterThan(0);

    // The purge runs at start.
    service = await start(() => now);
    const kept: Resident = { channel: "zalo", channelUserId: "z-840004" };
    await converse(service, kept, KEPT, 3);
    const afterPurge = await scan();
    console.info(JSON.stringify({ afterPurge }));
    expect(afterPurge.database.gone + afterPurge.wal.gone).toBe(0);
    expect(afterPurge.database.kept + afterPurge.wal.kept).toBeGreaterThan(0);
  });
});
