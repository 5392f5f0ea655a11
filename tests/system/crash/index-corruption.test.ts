/**
 * A damaged index never reaches hnswlib-node (native code that crashes the process on bad bytes):
 * the real service (src/main.ts, a child process) is started on index files damaged the ways the
 * issue reports — random bytes inside hnswlib.index (the file still parses, so the damage shows
 * only at search time: 500s, then a segmentation fault), an emptied docstore — and damaged while
 * it runs. It must rebuild and answer every question, report the damage on /healthz, and repair
 * the files from a console re-index even when the knowledge did not change.
 */
import type { ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../../src/config.js";
import { buildEngine, engineSettings } from "../../../src/app/engine.js";
import { verifyIndexFiles, type IndexManifest } from "../../../src/storage/hnsw-index.js";
import { ADMIN_PASSWORD, signedIn } from "../../channels/web/console/helpers.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { startTs } from "../../helpers/spawn.js";

/** A start that rebuilds the index takes ~10 s on a busy two-core machine. */
const START_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 240_000;

/** Questions answered from the documents' passages (so the vector index is searched), twice over. */
const QUESTIONS = [
  "Thông tư 03/2024/TT-BTTTT quy định băng tần 1800 MHz thế nào",
  "tắt sóng 2G là khi nào",
  "vneid muc 2 dang ky o dau",
  "toc do bang rong co dinh xa phu tan",
  "ty le dung chung tram bts cua xa cong hoa",
  "wifi công cộng ở nhà văn hóa thôn",
  "chữ ký số cho hộ kinh doanh",
  "làm sao nhận biết cuộc gọi lừa đảo",
  "hỗ trợ điện thoại thông minh cho hộ nghèo",
  "kế hoạch chuyển đổi số của xã năm 2026",
  "cáp quang về thôn khi nào",
  "dịch vụ công trực tuyến toàn trình là gì",
];

let work: string;
/** A complete, valid index of the real knowledge folder, copied into each test's data directory. */
let baseIndex: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-index-damage-"));
  const baseData = path.join(work, "base");
  await buildEngine(engineSettings(createConfig({ KNOWLEDGE_DIR, DATA_DIR: baseData, LOG_LEVEL: "silent" })));
  baseIndex = path.join(baseData, "index");
}, 120_000);
afterEach(() => {
  // A failed test may leave its service running.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** A fresh data directory holding a copy of the valid index; returns it and its version directory. */
async function dataDirWithIndex(name: string): Promise<{ dataDir: string; indexDir: string; versionDir: string }> {
  const dataDir = path.join(work, name);
  const indexDir = path.join(dataDir, "index");
  await cp(baseIndex, indexDir, { recursive: true });
  return { dataDir, indexDir, versionDir: path.join(indexDir, (await manifestOf(indexDir)).files as string) };
}

const manifestOf = async (indexDir: string) => JSON.parse(await readFile(path.join(indexDir, "manifest.json"), "utf8")) as IndexManifest;

/** Deterministic noise (mulberry32), so a failure reproduces with the same damage. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/**
 * Writes 4 KiB of noise at seven points through the file, keeping its size and its header: the
 * damage the issue reports (hnswlib-node still reads such a file, and follows garbage links later).
 */
async function scramble(file: string): Promise<void> {
  const { size } = await stat(file);
  const handle = await open(file, "r+");
  try {
    for (let i = 1; i < 8; i++) await handle.write(noise(4096, i), 0, 4096, Math.floor((size * i) / 8));
  } finally {
    await handle.close();
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: () => string;
  /** The exit code, or the signal that killed it (SIGSEGV is what the issue saw). */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

async function startService(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const started = await startTs(
    "src/main.ts",
    { DATA_DIR: dataDir, KNOWLEDGE_DIR, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    /http:\/\/localhost:(\d+)/,
    START_TIMEOUT_MS,
  );
  children.push(started.child);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    if (started.child.exitCode !== null || started.child.signalCode !== null) resolve(started.child.exitCode ?? started.child.signalCode);
    started.child.on("exit", (code, signal) => resolve(code ?? signal));
  });
  return { child: started.child, base: `http://127.0.0.1:${started.match[1]}`, output: started.output, exited };
}

/** Stops the service with SIGTERM; a clean stop exits 0 (a crash would be a signal or 1). */
async function stopService(service: Running): Promise<number | NodeJS.Signals | null> {
  expect(service.child.exitCode, `the service exited early:\n${service.output()}`).toBeNull();
  service.child.kill("SIGTERM");
  return service.exited;
}

/** The pino lines of the service with the given message. */
function logLines(service: Running, msg: string): Array<Record<string, unknown>> {
  return service
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);
}

interface Health {
  status: string;
  index: { builtAt: string; files?: { ok: boolean; problem: string | null; repairing?: boolean } };
}
async function health(service: Running): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${service.base}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** Asks every question twice; each must get an answer (200), and the process must still be running. */
async function expectAnswersEverything(service: Running): Promise<void> {
  for (const question of [...QUESTIONS, ...QUESTIONS]) {
    const res = await fetch(`${service.base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question }) });
    expect(res.status, `"${question}":\n${service.output().slice(-2000)}`).toBe(200);
    expect(((await res.json()) as { answer: string }).answer.length).toBeGreaterThan(0);
  }
  expect(service.child.exitCode).toBeNull();
  expect(service.child.signalCode).toBeNull();
}

describe("a service started on a damaged index", () => {
  it.each([
    ["random bytes inside hnswlib.index", "hnswlib.index", (versionDir: string) => scramble(path.join(versionDir, "hnswlib.index"))],
    ["an emptied docstore", "docstore.json", (versionDir: string) => writeFile(path.join(versionDir, "docstore.json"), "[]")],
  ] as const)(
    "should rebuild the index at start and answer every question, given %s",
    async (label, file, damage) => {
      const { dataDir, indexDir, versionDir } = await dataDirWithIndex(`start-${file}`);
      const before = await manifestOf(indexDir);
      await damage(versionDir);

      const service = await startService(dataDir);
      const [loaded] = logLines(service, "knowledge loaded");
      expect(loaded?.rebuilt, label).toBe(true);
      const [warned] = logLines(service, "the saved vector index was damaged; rebuilt it from the knowledge folder");
      expect(warned?.damage).toContain(file);

      await expectAnswersEverything(service);
      const { status, body } = await health(service);
      expect(status).toBe(200);
      expect(body.index.files).toMatchObject({ ok: true, problem: null });
      // The damaged version was replaced by a new one whose files match the new manifest.
      const after = await manifestOf(indexDir);
      expect(after.files).not.toBe(before.files);
      expect(await verifyIndexFiles(indexDir, after)).toBeNull();
      expect(await stopService(service)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "should answer from memory and report 503 with a clear log line when the rebuilt index cannot be saved",
    async () => {
      const dataDir = path.join(work, "unsaved");
      // DATA_DIR/index is a file, not a directory: nothing can be saved there.
      await mkdir(dataDir, { recursive: true });
      await writeFile(path.join(dataDir, "index"), "not a directory");

      const service = await startService(dataDir);
      const [unsaved] = logLines(service, "the rebuilt vector index could not be saved; answering from memory, /healthz answers 503 until it is saved");
      expect(unsaved?.reason).toBeTruthy();
      await expectAnswersEverything(service);
      const { status, body } = await health(service);
      expect(status).toBe(503);
      expect(body.status).toBe("unavailable");
      expect(body.index.files?.ok).toBe(false);
      expect(body.index.files?.problem).toContain("not saved");
      expect(await stopService(service)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("index files damaged while the service runs", () => {
  it(
    "should report the damage on /healthz (503), rebuild the files in the background and keep answering",
    async () => {
      const { dataDir, indexDir, versionDir } = await dataDirWithIndex("running");
      const service = await startService(dataDir);
      expect(logLines(service, "knowledge loaded")[0]?.rebuilt).toBe(false);
      const first = await health(service);
      expect(first.status).toBe(200);
      expect(first.body.index.files?.ok).toBe(true);

      await scramble(path.join(versionDir, "hnswlib.index"));
      const damaged = await health(service);
      expect(damaged.status).toBe(503);
      expect(damaged.body.status).toBe("unavailable");
      expect(damaged.body.index.files).toMatchObject({ ok: false, repairing: true });
      expect(damaged.body.index.files?.problem).toContain("hnswlib.index");
      expect(logLines(service, "the saved vector index is damaged or not saved; rebuilding it from the knowledge folder")).toHaveLength(1);

      // The index in memory was never touched: every question is answered while the files are rebuilt.
      await expectAnswersEverything(service);
      let repaired = damaged;
      for (let i = 0; i < 240 && repaired.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 500));
        repaired = await health(service);
      }
      expect(repaired.status, service.output().slice(-2000)).toBe(200);
      expect(repaired.body.index.files).toMatchObject({ ok: true, problem: null, repairing: false });
      expect(repaired.body.index.builtAt).not.toBe(first.body.index.builtAt);
      expect(await verifyIndexFiles(indexDir, await manifestOf(indexDir))).toBeNull();
      await expectAnswersEverything(service);
      expect(await stopService(service)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "should rebuild the files from a console re-index although the knowledge did not change",
    async () => {
      const { dataDir, indexDir, versionDir } = await dataDirWithIndex("console");
      const service = await startService(dataDir, { CONSOLE_PASSWORD: ADMIN_PASSWORD, CONSOLE_LOGIN_MAX_PER_IP: "1000" });
      const before = await manifestOf(indexDir);
      const { client, csrf } = await signedIn(service.base);

      await writeFile(path.join(versionDir, "docstore.json"), "[]");
      const started = await client.postJson("/console/api/reindex", {}, { "x-csrf-token": csrf });
      expect(started.status).toBe(202);
      let status: { state: string; result: { rebuilt: boolean } | null } = { state: "running", result: null };
      for (let i = 0; i < 240 && status.state === "running"; i++) {
        await new Promise((r) => setTimeout(r, 500));
        status = (await (await client.get("/console/api/reindex")).json()) as typeof status;
      }
      expect(status.state).toBe("done");
      expect(status.result?.rebuilt).toBe(true);
      const after = await manifestOf(indexDir);
      expect(after.contentHash).toBe(before.contentHash);
      expect(after.files).not.toBe(before.files);
      expect(await verifyIndexFiles(indexDir, after)).toBeNull();
      expect((await health(service)).status).toBe(200);
      await expectAnswersEverything(service);
      expect(await stopService(service)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
