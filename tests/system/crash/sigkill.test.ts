/**
 * Crash safety of the store: residents talk to the real service process (src/main.ts) over the
 * Zalo webhook, streaming consent, question, feedback and staff-queue writes, and the process is
 * killed with SIGKILL in the middle of the stream. After a restart, every acknowledged write must
 * be in the database.
 *
 * "Acknowledged" here is not the webhook's HTTP 200: that only means the event was accepted, and
 * the work happens after it. A write counts as acknowledged when the bot's reply confirming it
 * reached the (loopback) Zalo API: the channel sends that reply only after the store's
 * synchronous transaction committed. With WAL and synchronous=NORMAL a committed transaction is in
 * the WAL file (the OS page cache) before the reply leaves, so it survives the death of the process.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureHeader } from "../../../src/channels/zalo/signature.js";
import { DATABASE_FILE, openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { testConfig } from "../../helpers/engine.js";
import { APP_ID, OA_SECRET, startFakeZalo, type FakeZalo } from "../../helpers/fake-zalo.js";
import { startTs } from "../../helpers/spawn.js";

/** Residents talking at once; the Zalo send limit (8/s) keeps each under the per-resident limit. */
const USERS = 16;
/** SIGKILL once this many staff-queue writes were confirmed (all four kinds are flowing by then). */
const KILL_AFTER_QUEUE_ACKS = 5;
const QUESTIONS = [
  "Tắt sóng 2G là khi nào?",
  "vneid muc 2 dang ky o dau",
  "toc do bang rong co dinh xa phu tan",
  "ty le dung chung tram bts cua xa cong hoa",
];
const staffText = (user: number, turn: number) => `Cán bộ ơi, thôn Đông khi nào có wifi công cộng? Lượt ${turn} của bà con số ${user}`;

/** The bot's replies that confirm a committed write. */
const CONFIRMS = {
  consent: /^Cảm ơn bà con đã đồng ý/,
  message: /Gõ 1 nếu câu trả lời giúp được bà con, 2 nếu chưa/,
  feedback: /vì sao câu trả lời chưa tốt/,
  queue: /^Đã chuyển câu hỏi cho cán bộ xã/,
};
const TOO_FAST = /gửi nhanh quá/;

let zalo: FakeZalo;
let env: Record<string, string>;
let dataDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await testConfig();
  cleanup = t.cleanup;
  dataDir = t.dataDir;
  zalo = await startFakeZalo({ access: ["crash-access"] });
  env = {
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "crash-access",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
  };
});
afterAll(async () => {
  await zalo?.close();
  await cleanup?.();
});

let msg = 0;
function post(base: string, event: Record<string, unknown>): Promise<number> {
  const raw = JSON.stringify({ app_id: APP_ID, timestamp: String(Date.now()), ...event });
  return fetch(`${base}/webhooks/zalo`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-zevent-signature": signatureHeader(APP_ID, raw, JSON.parse(raw).timestamp as string, OA_SECRET) },
    body: raw,
  }).then(
    (r) => r.status,
    () => 0,
  );
}
const text = (userId: string, t: string) => ({ event_name: "user_send_text", user_id_by_app: `app-${userId}`, sender: { id: userId }, recipient: { id: "579745863508352884" }, message: { text: t, msg_id: `crash-${++msg}` } });
const follow = (userId: string) => ({ event_name: "follow", oa_id: "579745863508352884", user_id_by_app: `app-${userId}`, follower: { id: userId } });

const count = (texts: readonly string[], re: RegExp) => texts.filter((t) => re.test(t)).length;

describe("SIGKILL in the middle of a stream of writes", () => {
  it("should keep every write whose confirmation reached the resident", async () => {
    const first = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/);
    const base = `http://127.0.0.1:${first.match[1]}`;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.child.on("exit", (_code, signal) => resolve(signal)));
    let dead = false;
    let inFlightAtKill = 0;
    const ids = Array.from({ length: USERS }, (_, i) => String(8_100_000 + i));
    const waiting = new Set<string>();

    /** Sends an event and waits until a new reply to this resident matches `re`; false once the process is dead. */
    async function step(userId: string, event: Record<string, unknown>, re: RegExp): Promise<boolean> {
      const before = zalo.textsTo(userId).length;
      waiting.add(userId);
      try {
        if (dead || (await post(base, event)) !== 200) return false;
        for (;;) {
          const fresh = zalo.textsTo(userId).slice(before);
          if (fresh.some((t) => re.test(t))) return true;
          if (fresh.some((t) => TOO_FAST.test(t))) throw new Error("per-resident limit hit: the test sends too fast");
          if (dead) return false;
          await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        waiting.delete(userId);
      }
    }

    async function resident(i: number): Promise<void> {
      const id = ids[i] as string;
      if (!(await step(id, follow(id), /Gõ 1 để đồng ý lưu câu hỏi/))) return;
      if (!(await step(id, text(id, "1"), CONFIRMS.consent))) return;
      for (let turn = 0; ; turn++) {
        if (!(await step(id, text(id, QUESTIONS[(i + turn) % QUESTIONS.length] as string), CONFIRMS.message))) return;
        if (!(await step(id, text(id, "2"), CONFIRMS.feedback))) return;
        if (!(await step(id, text(id, "hoi can bo"), /gõ câu hỏi muốn gửi cán bộ xã/))) return;
        if (!(await step(id, text(id, staffText(i, turn)), CONFIRMS.queue))) return;
      }
    }

    const residents = ids.map((_, i) => resident(i));
    await expect
      .poll(() => zalo.delivered.filter((d) => CONFIRMS.queue.test(d.text)).length, { timeout: 60_000, interval: 5 })
      .toBeGreaterThanOrEqual(KILL_AFTER_QUEUE_ACKS);
    first.child.kill("SIGKILL");
    inFlightAtKill = waiting.size;
    expect(await exited).toBe("SIGKILL");
    dead = true;
    await Promise.all(residents);
    // Killed mid-stream: residents were waiting for replies to events the service had accepted.
    expect(inFlightAtKill).toBeGreaterThan(0);

    // What was acknowledged, per resident, from the replies that reached the Zalo API.
    const acked = ids.map((id) => {
      const texts = zalo.textsTo(id);
      return { id, consent: count(texts, CONFIRMS.consent), message: count(texts, CONFIRMS.message), feedback: count(texts, CONFIRMS.feedback), queue: count(texts, CONFIRMS.queue) };
    });
    const total = (k: "consent" | "message" | "feedback" | "queue") => acked.reduce((s, a) => s + a[k], 0);
    expect(total("consent")).toBeGreaterThan(0);
    expect(total("message")).toBeGreaterThan(0);
    expect(total("feedback")).toBeGreaterThan(0);
    expect(total("queue")).toBeGreaterThanOrEqual(KILL_AFTER_QUEUE_ACKS);

    // Restart on the same data directory: the service recovers the database and serves again.
    const second = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/);
    const consented = acked.find((a) => a.consent > 0) as { id: string };
    const before = zalo.textsTo(consented.id).length;
    expect(await post(`http://127.0.0.1:${second.match[1]}`, text(consented.id, "quyen rieng tu"))).toBe(200);
    await expect.poll(() => zalo.textsTo(consented.id).slice(before).join("\n"), { timeout: 10_000 }).toContain("Bà con đã đồng ý lưu câu hỏi.");
    const stopped = new Promise<number | null>((resolve) => second.child.on("exit", (code) => resolve(code)));
    second.child.kill("SIGTERM");
    expect(await stopped).toBe(0);

    // Every acknowledged write is in the database.
    const store = openSqliteStore({ dataDir });
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      const questions = db.prepare<[string], { question: string | null }>("SELECT question FROM messages WHERE user_key = ? AND question IS NOT NULL");
      const downs = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM feedback WHERE user_key = ? AND rating = 'down'");
      for (const a of acked) {
        const key = store.userKey("zalo", a.id);
        const i = ids.indexOf(a.id);
        if (a.consent > 0) expect(store.getUser(key)?.consent?.granted, `consent of ${a.id}`).toBe(true);
        const stored = questions.all(key).map((r) => r.question);
        expect(stored.length, `questions of ${a.id}`).toBeGreaterThanOrEqual(a.message);
        for (const q of stored) expect(QUESTIONS).toContain(q);
        expect((downs.get(key) as { n: number }).n, `feedback of ${a.id}`).toBeGreaterThanOrEqual(a.feedback);
        const queued = store.listQueue({ userKey: key }).map((q) => q.question);
        for (let turn = 0; turn < a.queue; turn++) expect(queued, `queue of ${a.id}`).toContain(staffText(i, turn));
      }
    } finally {
      db.close();
      store.close();
    }
  }, 120_000);
});
