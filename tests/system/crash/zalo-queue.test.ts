/**
 * No acknowledged Zalo event is lost, and none is answered twice, when the service dies or is
 * stopped in the middle of a burst. The real service process (src/main.ts) receives 200 signed
 * events (40 residents, 5 messages each, each message in order after the previous one's 200)
 * while a loopback server plays the Zalo API; the process gets SIGKILL (or SIGTERM) mid-burst and
 * is started again on the same data directory. Zalo resends what it did not see acknowledged
 * (refused, 503, connection reset), exactly as it sent it. In the end every resident must have
 * received exactly one reply per message, in order.
 *
 * Each message is a menu choice answered by exactly one Zalo message whose content depends on
 * the one before ("menu", "1" = skills list, "0" = menu, "3" = the 2G check, "0"), so a lost,
 * doubled or reordered answer shows.
 */
import path from "node:path";
import Database from "better-sqlite3";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../../src/storage/sqlite-store.js";
import { testConfig } from "../../helpers/engine.js";
import { APP_ID, OA_SECRET, postSignedZalo, startFakeZalo, zaloTextEvent, type FakeZalo } from "../../helpers/fake-zalo.js";
import { startTs } from "../../helpers/spawn.js";

const USERS = 40;
const TEXTS = ["menu", "1", "0", "3", "0"] as const;
const MENU = /^Bà con gõ số để chọn chủ đề:/;
const SKILLS = /^Kỹ năng số: bà con gõ số/;
const TWO_G = /1\. Máy bàn phím chỉ có 2G/;
const EXPECTED = [MENU, SKILLS, MENU, TWO_G, MENU];
/** Stop the service once this many events were acknowledged (half the burst). */
const STOP_AT = 100;
const READY = /http:\/\/localhost:(\d+)/;

let zalo: FakeZalo;
const cleanups: Array<() => Promise<void>> = [];
/** Every service process started, so none outlives a failed test. */
const children: ChildProcess[] = [];

beforeAll(async () => {
  zalo = await startFakeZalo({ access: ["queue-access"] });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await zalo?.close();
  for (const c of cleanups) await c();
});

/** A signed event body, built once: a resend is the same bytes. */
const event = (userId: string, msgId: string, text: string): string => zaloTextEvent(userId, text, msgId);

/** Posts a body; the HTTP status, or 0 when the connection failed. */
async function post(base: string, raw: string): Promise<{ status: number; duplicate: boolean }> {
  try {
    const res = await postSignedZalo(base, raw);
    const body = (await res.json().catch(() => ({}))) as { duplicate?: boolean };
    return { status: res.status, duplicate: body.duplicate === true };
  } catch {
    return { status: 0, duplicate: false };
  }
}

async function pendingJobs(base: string): Promise<number> {
  const res = await fetch(`${base}/healthz`);
  const body = (await res.json()) as { channels: { zalo: { pendingJobs?: number } } };
  return body.channels.zalo.pendingJobs ?? -1;
}

function jobsLeftInFile(dataDir: string): number {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { fileMustExist: true });
  try {
    return db.prepare("SELECT count(*) FROM jobs").pluck().get() as number;
  } finally {
    db.close();
  }
}

async function start(env: Record<string, string>): Promise<Awaited<ReturnType<typeof startTs>>> {
  const started = await startTs("src/main.ts", env, READY, 90_000);
  children.push(started.child);
  return started;
}

async function scenario(signal: "SIGKILL" | "SIGTERM", firstUser: number): Promise<void> {
  const t = await testConfig();
  cleanups.push(t.cleanup);
  const env = {
    DATA_DIR: t.dataDir,
    KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "queue-access",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
    // The fake Zalo has no rate limit; the production default (8/s) would make the test slow.
    ZALO_SENDS_PER_SECOND: "100",
  };
  const users = Array.from({ length: USERS }, (_, i) => String(firstUser + i));
  const bodies = users.map((u) => TEXTS.map((text, i) => event(u, `q-${u}-${i}`, text)));
  const acked = users.map(() => TEXTS.map(() => false));
  const replies = () => users.reduce((n, u) => n + zalo.textsTo(u).length, 0);

  // ---- the burst, stopped half way ----------------------------------------------------
  zalo.sendDelayMs = 30;
  const first = await start(env);
  const base1 = `http://127.0.0.1:${first.match[1]}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => first.child.on("exit", (code, sig) => resolve({ code, signal: sig })));
  let ackCount = 0;
  let atStop = { acked: 0, replies: 0 };
  await Promise.all(
    users.map(async (_u, ui) => {
      for (let i = 0; i < TEXTS.length; i++) {
        const { status } = await post(base1, bodies[ui]?.[i] as string);
        if (status !== 200) return;
        (acked[ui] as boolean[])[i] = true;
        if (++ackCount === STOP_AT) {
          atStop = { acked: ackCount, replies: replies() };
          first.child.kill(signal);
        }
      }
    }),
  );
  const exit = await exited;
  if (signal === "SIGKILL") expect(exit.signal).toBe("SIGKILL");
  else {
    expect(exit.code).toBe(0);
    expect(first.output()).toMatch(/"drained":true/);
  }
  // Stopped mid-burst: acknowledged events were still unanswered, and their jobs are in the file.
  expect(atStop.acked).toBe(STOP_AT);
  expect(atStop.replies).toBeLessThan(atStop.acked);
  const left = jobsLeftInFile(t.dataDir);
  expect(left).toBeGreaterThan(0);
  const ackedTotal = acked.flat().filter(Boolean).length;
  expect(ackedTotal).toBeGreaterThanOrEqual(STOP_AT);
  expect(ackedTotal).toBeLessThan(USERS * TEXTS.length);

  // ---- restart on the same data; Zalo resends what was not acknowledged -----------------
  zalo.sendDelayMs = 0;
  const second = await start(env);
  const base2 = `http://127.0.0.1:${second.match[1]}`;
  const resent = await Promise.all(
    users.map(async (_u, ui) => {
      const outcomes: Array<{ status: number; duplicate: boolean }> = [];
      // An acknowledged one, resent by mistake, is a duplicate and is not answered again.
      if (acked[ui]?.[0]) {
        const again = await post(base2, bodies[ui]?.[0] as string);
        expect(again).toEqual({ status: 200, duplicate: true });
      }
      for (let i = 0; i < TEXTS.length; i++) if (!acked[ui]?.[i]) outcomes.push(await post(base2, bodies[ui]?.[i] as string));
      return outcomes;
    }),
  );
  for (const outcome of resent.flat()) expect(outcome.status).toBe(200);

  await expect.poll(() => users.filter((u) => zalo.textsTo(u).length >= TEXTS.length).length, { timeout: 60_000, interval: 50 }).toBe(USERS);
  await expect.poll(() => pendingJobs(base2), { timeout: 30_000, interval: 50 }).toBe(0);
  // Nothing more trickles in.
  await new Promise((r) => setTimeout(r, 300));
  for (const u of users) {
    const texts = zalo.textsTo(u);
    expect(texts, `replies to ${u}`).toHaveLength(TEXTS.length);
    texts.forEach((text, i) => expect(text, `reply ${i} to ${u}`).toMatch(EXPECTED[i] as RegExp));
  }
  const stopped = new Promise<number | null>((resolve) => second.child.on("exit", (code) => resolve(code)));
  second.child.kill("SIGTERM");
  expect(await stopped).toBe(0);
  expect(jobsLeftInFile(t.dataDir)).toBe(0);
}

describe("acknowledged Zalo events across a crash or a stop", () => {
  it("should answer every acknowledged event exactly once after SIGKILL mid-burst and a restart", async () => {
    await scenario("SIGKILL", 8_300_000);
  }, 180_000);

  it("should answer every acknowledged event exactly once after SIGTERM mid-burst and a restart", async () => {
    await scenario("SIGTERM", 8_400_000);
  }, 180_000);
});
