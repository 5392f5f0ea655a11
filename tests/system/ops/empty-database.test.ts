/**
 * A database file that became empty (zero bytes) or vanished after the store had been
 * initialised must stop the service, not turn silently into a new, empty database: the real
 * service process exits non-zero naming the file and `npm run restore`. A new install still
 * starts, and so does the service once a backup is restored.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBackup } from "../../../src/cli/backup.js";
import { restoreBackup } from "../../../src/cli/restore.js";
import { createConfig } from "../../../src/config.js";
import { buildEngine, engineSettings } from "../../../src/app/engine.js";
import { DATABASE_FILE, DATABASE_MARKER_FILE, openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { startTs } from "../../helpers/spawn.js";

const SECRET = "empty-database-test-secret-0123456789";

let indexTemplate: string;
let root: string;
let dataDir: string;
let dbFile: string;
let env: Record<string, string>;

// The search index is built once and copied into each data folder, so each start is quick.
beforeAll(async () => {
  indexTemplate = await mkdtemp(path.join(tmpdir(), "tro-ly-so-empty-db-index-"));
  await buildEngine(engineSettings(createConfig({ KNOWLEDGE_DIR, DATA_DIR: indexTemplate, LOG_LEVEL: "silent" })));
});
afterAll(async () => {
  await rm(indexTemplate, { recursive: true, force: true });
});

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tro-ly-so-empty-db-"));
  dataDir = path.join(root, "data");
  await cp(path.join(indexTemplate, "index"), path.join(dataDir, "index"), { recursive: true });
  dbFile = path.join(dataDir, DATABASE_FILE);
  env = { DATA_DIR: dataDir, KNOWLEDGE_DIR, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", USER_KEY_SECRET: SECRET };
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Starts `src/main.ts`; resolves with the exit code and output if it stops before listening, or "started" after stopping it with SIGTERM. */
async function startOrFail(): Promise<{ started: boolean; code: number | null; output: string }> {
  try {
    // A generous ready timeout: the knowledge is loaded before listening, slow on a busy machine.
    const { child, output } = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/, 50_000);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    return { started: true, code: await exited, output: output() };
  } catch (err) {
    const text = (err as Error).message;
    const code = /^exited with (\S+) before ready/.exec(text)?.[1];
    return { started: false, code: code === undefined || code === "null" ? null : Number(code), output: text };
  }
}

/** A store that has been used: a consenting resident with a question. */
function initialise(): void {
  const store = openSqliteStore({ dataDir, secret: SECRET });
  try {
    const key = store.ensureUser("telegram", "55501").key;
    store.setConsent(key, true, "test");
    store.recordMessage({ userKey: key, channel: "telegram", question: "hỏi về thẻ căn cước", kind: "faq", confidence: 0.9, commune: null, sources: [], latencyMs: 1 });
  } finally {
    store.close();
  }
}

describe("a database file that became empty", () => {
  it("should start a new install and record that the database was initialised", async () => {
    expect(existsSync(dbFile)).toBe(false);
    const result = await startOrFail();
    expect(result).toMatchObject({ started: true, code: 0 });
    expect(existsSync(path.join(dataDir, DATABASE_MARKER_FILE))).toBe(true);
  }, 120_000);

  it("should start when a zero-length file was left by a first start that never wrote (no marker)", async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(dbFile, "");
    expect(await startOrFail()).toMatchObject({ started: true, code: 0 });
  }, 120_000);

  it("should refuse to start on a zero-length database that had data, and start again once a backup is restored", async () => {
    initialise();
    const backups = path.join(root, "backups");
    const { file: archive } = await createBackup({ dataDir, knowledgeDir: KNOWLEDGE_DIR, outDir: backups });
    await truncate(dbFile, 0);

    const refused = await startOrFail();
    expect(refused.started).toBe(false);
    expect(refused.code).not.toBe(0);
    expect(refused.code).not.toBeNull();
    expect(refused.output).toContain("DATABASE_LOST");
    expect(refused.output).toContain(dbFile);
    expect(refused.output).toContain("npm run restore");
    expect(refused.output).toContain("is empty (0 bytes)");
    expect(refused.output).toContain("rỗng (0 byte)");
    // Nothing was written over the evidence.
    expect(existsSync(`${dbFile}-wal`)).toBe(false);

    // The nightly backup refuses too, so it cannot rotate the good archives out with an empty one.
    await expect(createBackup({ dataDir, knowledgeDir: KNOWLEDGE_DIR, outDir: backups })).rejects.toThrow(/mất hoặc rỗng/);

    // The fix the message names.
    await restoreBackup({ archive, dataDir, knowledgeDir: path.join(root, "knowledge") });
    expect(await startOrFail()).toMatchObject({ started: true, code: 0 });
    const store = openSqliteStore({ dataDir, secret: SECRET });
    try {
      expect(store.getUser(store.userKey("telegram", "55501"))?.consent?.granted).toBe(true);
    } finally {
      store.close();
    }
  }, 180_000);

  it("should refuse to start when the initialised database file is missing", async () => {
    initialise();
    await rm(dbFile);
    const refused = await startOrFail();
    expect(refused).toMatchObject({ started: false });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("is missing");
    expect(refused.output).toContain("npm run restore");
    expect(existsSync(dbFile)).toBe(false);
  }, 120_000);
});
