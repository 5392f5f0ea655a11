/**
 * npm run load — load, flood and soak test of the running service on loopback (autocannon).
 *
 * The service runs as a child process (this file with --serve: the same startService as
 * src/main.ts, plus an IPC channel that reports memory after a forced GC and the Zalo queue
 * length), on a free port, with a temporary DATA_DIR and LOG_LEVEL=warn. Loopback fakes play the
 * Zalo OA API and the Telegram Bot API, so webhook answers really go out and drain. The per-IP
 * limit on /api/ask (API_RATE_LIMIT_PER_MINUTE) is set very high for the run: one client IP
 * sends everything here.
 *
 * Closed-loop phases (maximum throughput, the forged flood) use autocannon; fixed-rate phases use
 * an open-loop generator here that spaces requests evenly (see runPaced). Latencies are measured
 * per request, from sending to the end of the response.
 *
 * Default run (short): /api/ask closed-loop at --connections, /api/ask at a fixed --ask-rate,
 * Zalo and Telegram webhooks (signed, valid events) at fixed rates with the time for Zalo's queued
 * answers to drain, then real traffic (/api/ask at --flood-ask-rate, valid Zalo events) alone and
 * while --flood-repeat floods of --flood forged webhook requests come in from another process
 * (bad Zalo signatures, wrong Telegram secret tokens). --soak: --duration seconds (default 300) of mixed traffic after a warm-up, with memory
 * (RSS, heap after GC) sampled every minute. --durability: SQLite commit cost, synchronous NORMAL vs
 * FULL. Figures go to stdout and bench/results/load-<date>.json and load-latest.json (soak:
 * load-soak-*, durability: durability-*); --markdown <file> writes a table for the README.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Agent, createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import type { UserFromGetMe } from "grammy/types";
import { signatureHeader } from "../src/channels/zalo/signature.js";
import { createConfig, loadConfig } from "../src/config.js";
import { fold } from "../src/core/text/normalize.js";
import { createLogger } from "../src/logger.js";
import { startService, type Service } from "../src/app/service.js";
import { migrate } from "../src/storage/migrations.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const SELF = path.join(ROOT, "tools/load.ts");

const ZALO_APP_ID = "4200000000000000001";
const ZALO_OA_SECRET = "load-test-oa-secret";
const TELEGRAM_TOKEN = "4242:LOAD-test-token-not-real-aaaaaaaaaa";
const TELEGRAM_SECRET = "load_test_webhook_secret";
const TELEGRAM_PATH = "/webhooks/telegram";
/** The per-IP /api/ask limit for this run: far above what one loopback client sends. */
const API_RATE_LIMIT = "1000000";
/** Distinct residents the webhook traffic rotates through (per-user limits are 8 per 10 s). */
const USER_POOL = 2000;

const BOT_INFO = {
  id: 4242,
  is_bot: true,
  first_name: "Trợ lý số xã (tải thử)",
  username: "tro_ly_so_load_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

// ---- statistics --------------------------------------------------------------------------

interface Sample {
  /** Completion time (ms, performance.now in this process). */
  readonly end: number;
  readonly ms: number;
  readonly status: number;
}

interface LatencyFigures {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Connection errors and timeouts (no HTTP status). */
  readonly errors: number;
  readonly non2xx: number;
  readonly statuses: Record<string, number>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function figures(samples: readonly Sample[], seconds: number, errors: number): LatencyFigures {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    requests: samples.length,
    seconds: round(seconds, 2),
    requestsPerSecond: round(samples.length / Math.max(seconds, 1e-9)),
    p50: round(percentile(ms, 50), 2),
    p95: round(percentile(ms, 95), 2),
    p99: round(percentile(ms, 99), 2),
    max: round(ms.at(-1) ?? 0, 2),
    errors,
    non2xx: samples.filter((s) => s.status < 200 || s.status >= 300).length,
    statuses,
  };
}

// ---- loopback fakes ----------------------------------------------------------------------

interface Fake {
  readonly url: string;
  /** Messages the service sent through this fake. */
  sent: number;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Plays the Zalo OA endpoints the channel calls: every send is accepted. */
async function startFakeZalo(): Promise<Fake> {
  let messageId = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url === "/v3.0/oa/message/cs") {
        fake.sent++;
        res.end(JSON.stringify({ error: 0, message: "Success", data: { message_id: `m${++messageId}` } }));
      } else {
        res.end(JSON.stringify({ access_token: "load-access", refresh_token: "load-refresh", expires_in: "3600" }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  const fake: Fake = { url: await listen(server), sent: 0, close: () => new Promise((r) => server.close(() => r())) };
  return fake;
}

/** Plays the Telegram Bot API: sendMessage and everything else succeed. */
async function startFakeTelegram(): Promise<Fake> {
  let messageId = 0;
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      let result: unknown = true;
      if (method === "getMe") result = BOT_INFO;
      if (method === "sendMessage") {
        fake.sent++;
        const body = (raw ? JSON.parse(raw) : {}) as { chat_id?: number; text?: string };
        result = { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: "private" }, text: body.text };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  server.keepAliveTimeout = 60_000;
  const fake: Fake = { url: await listen(server), sent: 0, close: () => new Promise((r) => server.close(() => r())) };
  return fake;
}

// ---- the service child process -------------------------------------------------------------

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  /** Whether a GC ran first (the child was started with --expose-gc). */
  readonly gc: boolean;
}

type ChildReply = { id: number; memory?: Memory; pending?: number; stopped?: boolean; port?: number; cpuMs?: number; loop?: LoopDelay };

/** The service's event-loop delay since the previous reading (ms): how long work waited to run. */
interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

interface ServiceChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logFile: string;
  call(type: "memory" | "pending" | "cpu" | "loop" | "stop"): Promise<ChildReply>;
}

async function startChild(work: string, fakes: { zalo: Fake; telegram: Fake }): Promise<ServiceChild> {
  const base = loadConfig();
  const config: Record<string, string> = {
    DATA_DIR: path.join(work, "data"),
    KNOWLEDGE_DIR: path.resolve(base.knowledge.KNOWLEDGE_DIR),
    COMMUNE: base.knowledge.COMMUNE,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    API_RATE_LIMIT_PER_MINUTE: API_RATE_LIMIT,
    ZALO_APP_ID,
    ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
    ZALO_ACCESS_TOKEN: "load-access",
    ZALO_API_BASE_URL: fakes.zalo.url,
    ZALO_OAUTH_BASE_URL: fakes.zalo.url,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_URL: `https://xa.example.vn${TELEGRAM_PATH}`,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: fakes.telegram.url,
    // Every update answered on its own, within its request (no joining of quick messages): the
    // worst case for the service, and the figures stay comparable with earlier runs.
    TELEGRAM_JOIN_QUIET_MS: "0",
  };
  const logFile = path.join(work, "service.log");
  const log = openSync(logFile, "a");
  const child = fork(SELF, ["--serve"], {
    cwd: ROOT,
    execArgv: ["--expose-gc", "--import", "tsx"],
    env: { ...process.env, LOAD_SERVICE_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", log, log, "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, (reply: ChildReply) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service not ready in 60 s; see ${logFile}`)), 60_000);
    child.on("message", (m: ChildReply) => {
      if (m.id === 0 && m.port) {
        clearTimeout(timer);
        resolve(m.port);
      }
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}; see ${logFile}`));
    });
  });
  return {
    child,
    port,
    logFile,
    call: (type) =>
      new Promise((resolve) => {
        const id = ++nextId;
        waiting.set(id, resolve);
        child.send({ id, type });
      }),
  };
}

/** Child mode: runs the service and answers the parent's memory / queue / stop requests. */
async function serve(): Promise<void> {
  const config = createConfig(JSON.parse(process.env.LOAD_SERVICE_CONFIG ?? "{}") as Record<string, string>);
  const logger = createLogger(config.logging.LOG_LEVEL);
  const service: Service = await startService(config, logger, { telegramBotInfo: BOT_INFO });
  await service.telegramReady;
  const gc = (globalThis as { gc?: () => void }).gc;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on("message", (m: { id: number; type: string }) => {
    if (m.type === "loop") {
      const ms = (ns: number) => round(ns / 1e6, 1);
      process.send?.({ id: m.id, loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
      loop.reset();
      return;
    }
    if (m.type === "memory") {
      gc?.();
      gc?.();
      const u = process.memoryUsage();
      process.send?.({ id: m.id, memory: { rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, gc: Boolean(gc) } });
    } else if (m.type === "cpu") {
      const c = process.cpuUsage();
      process.send?.({ id: m.id, cpuMs: (c.user + c.system) / 1000 });
    } else if (m.type === "pending") {
      process.send?.({ id: m.id, pending: service.zalo?.pending() ?? 0 });
    } else if (m.type === "stop") {
      void service.stop().then(() => {
        process.send?.({ id: m.id, stopped: true }, () => process.exit(0));
      });
    }
  });
  process.on("SIGTERM", () => void service.stop().then(() => process.exit(0)));
  process.send?.({ id: 0, port: service.port });
}

// ---- traffic -------------------------------------------------------------------------------

/** Realistic questions: the benchmark set, each also typed without diacritics, and chat shorthand. */
async function loadQuestions(): Promise<string[]> {
  const lines = (await readFile(path.join(ROOT, "bench/questions.txt"), "utf8"))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const shorthand = ["dt cua toi co dung dc sau khi tat song 2g ko", "ho ngheo dc ho tro dt ko ad", "sdt ad xa la bn", "lam the nao de chuyen khoan ck qua qr", "vneid muc 2 dk o dau"];
  return [...lines, ...lines.map(fold), ...shorthand];
}

type Make = () => { body: string; headers: Record<string, string> };

interface Stream {
  readonly name: string;
  readonly path: string;
  readonly make: Make;
  /** Fixed request rate (requests/s, evenly spaced, open loop); omitted = autocannon, closed loop at `connections`. */
  readonly rate?: number;
  /** autocannon connections (closed loop only). */
  readonly connections: number;
  readonly duration?: number;
  readonly amount?: number;
}

interface StreamResult {
  readonly name: string;
  readonly samples: Sample[];
  readonly errors: number;
  readonly started: number;
  readonly ended: number;
}

/**
 * Open-loop traffic at a fixed rate, requests evenly spaced (1/rate apart) whatever the answers'
 * latency. autocannon's own rate option is not used for this: it lets every connection send its
 * whole quota at the start of each second, so "300 req/s" arrives as one burst per second.
 */
function runPaced(port: number, s: Stream & { rate: number }): Promise<StreamResult> {
  const samples: Sample[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = s.amount ?? Math.round(s.rate * (s.duration ?? 10));
  const interval = 1000 / s.rate;
  let errors = 0;
  let outstanding = 0;
  let sent = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      if (sent < total || outstanding > 0) return;
      agent.destroy();
      resolve({ name: s.name, samples, errors, started, ended: performance.now() });
    };
    const fire = () => {
      const { body, headers } = s.make();
      const t = performance.now();
      outstanding++;
      const req = httpRequest({ agent, host: "127.0.0.1", port, path: s.path, method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          const end = performance.now();
          samples.push({ end, ms: end - t, status: res.statusCode ?? 0 });
          outstanding--;
          finish();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors++;
        outstanding--;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      // Catch up if the timer fired late, so the average rate holds.
      while (sent < total && performance.now() >= started + sent * interval) {
        sent++;
        fire();
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
      else finish();
    };
    tick();
  });
}

function runStream(port: number, s: Stream): Promise<StreamResult> {
  if (s.rate) return runPaced(port, { ...s, rate: s.rate });
  const samples: Sample[] = [];
  let errors = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: s.connections,
        ...(s.amount ? { amount: s.amount } : { duration: s.duration ?? 10 }),
        timeout: 10,
        requests: [
          {
            method: "POST",
            path: s.path,
            setupRequest: (req) => {
              const { body, headers } = s.make();
              return { ...req, body, headers: { ...(req.headers ?? {}), ...headers } };
            },
          },
        ],
      },
      (err) => {
        if (err) return reject(err);
        resolve({ name: s.name, samples, errors, started, ended: performance.now() });
      },
    );
    // autocannon emits (client, statusCode, bytes, responseTime in ms with sub-ms precision).
    instance.on("response", (...args: unknown[]) => {
      const [status, , ms] = args.slice(-3) as [number, number, number];
      samples.push({ end: performance.now(), ms, status });
    });
    instance.on("reqError", () => errors++);
  });
}

function createTraffic(questions: readonly string[]) {
  let q = 0;
  let zaloUser = Math.floor(Math.random() * USER_POOL);
  let telegramUser = Math.floor(Math.random() * USER_POOL);
  let msg = 0;
  let update = Math.floor(Date.now() / 1000);
  const run = randomBytes(4).toString("hex");
  const question = () => questions[q++ % questions.length] as string;
  const json = { "content-type": "application/json" };

  const zaloEvent = (userId: string) =>
    JSON.stringify({
      app_id: ZALO_APP_ID,
      user_id_by_app: `app-${userId}`,
      event_name: "user_send_text",
      timestamp: String(Date.now()),
      sender: { id: userId },
      recipient: { id: "579745863508352884" },
      message: { text: question(), msg_id: `load-${run}-${++msg}` },
    });
  const telegramUpdate = (userId: number) => {
    update++;
    return JSON.stringify({
      update_id: update,
      message: { message_id: update, date: Math.floor(Date.now() / 1000), chat: { id: userId, type: "private", first_name: "Bà con" }, from: { id: userId, is_bot: false, first_name: "Bà con" }, text: question() },
    });
  };

  return {
    ask: (() => ({ body: JSON.stringify({ question: question() }), headers: json })) as Make,
    zalo: (() => {
      const body = zaloEvent(String(100_000_000 + (zaloUser++ % USER_POOL)));
      const timestamp = String((JSON.parse(body) as { timestamp: string }).timestamp);
      return { body, headers: { ...json, "x-zevent-signature": signatureHeader(ZALO_APP_ID, body, timestamp, ZALO_OA_SECRET) } };
    }) as Make,
    telegram: (() => ({ body: telegramUpdate(500_000_000 + (telegramUser++ % USER_POOL)), headers: { ...json, "x-telegram-bot-api-secret-token": TELEGRAM_SECRET } })) as Make,
    /** Forged Zalo events: well-formed bodies, signatures that do not verify (random, or another key). */
    forgedZalo: (() => {
      const body = zaloEvent(String(900_000_000 + (zaloUser++ % USER_POOL)));
      const timestamp = String((JSON.parse(body) as { timestamp: string }).timestamp);
      const signature = msg % 2 === 0 ? `mac=${randomBytes(32).toString("hex")}` : signatureHeader(ZALO_APP_ID, body, timestamp, "not-the-oa-secret");
      return { body, headers: { ...json, "x-zevent-signature": signature } };
    }) as Make,
    /** Forged Telegram updates: a wrong secret token. */
    forgedTelegram: (() => ({ body: telegramUpdate(900_000_000 + (telegramUser++ % USER_POOL)), headers: { ...json, "x-telegram-bot-api-secret-token": `wrong_${randomBytes(6).toString("hex")}` } })) as Make,
  };
}

/** The clock shared by processes on this machine (ms since the epoch, sub-millisecond). */
const absoluteNow = () => performance.timeOrigin + performance.now();

interface FloodReport {
  readonly samples: Array<{ endAbs: number; ms: number; status: number }>;
  readonly errors: number;
  readonly startedAbs: number;
  readonly endedAbs: number;
}

/**
 * Child mode (--flood-client): on each message from the parent, sends `amount` forged webhook
 * requests, half Zalo and half Telegram, over 50 keep-alive connections as fast as the service
 * answers, and reports them. It runs in its own process, started and with every request built
 * before the measurement, so generating the flood never delays the parent's timing of real traffic.
 */
async function floodClient(): Promise<void> {
  const { port, amount, repeat } = JSON.parse(process.env.LOAD_FLOOD ?? "{}") as { port: number; amount: number; repeat: number };
  const traffic = createTraffic(await loadQuestions());
  const batches = Array.from({ length: repeat }, () =>
    Array.from({ length: amount }, (_, i) => (i % 2 === 0 ? { path: "/webhooks/zalo", ...traffic.forgedZalo() } : { path: TELEGRAM_PATH, ...traffic.forgedTelegram() })),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const flood = async (requests: NonNullable<(typeof batches)[number]>): Promise<FloodReport> => {
    const samples: FloodReport["samples"] = [];
    let errors = 0;
    let next = 0;
    const send = (r: (typeof requests)[number]) =>
      new Promise<void>((resolve) => {
        const t = absoluteNow();
        const req = httpRequest({ agent, host: "127.0.0.1", port, path: r.path, method: "POST", headers: { ...r.headers, "content-length": Buffer.byteLength(r.body) } }, (res) => {
          res.resume();
          res.on("end", () => {
            const end = absoluteNow();
            samples.push({ endAbs: end, ms: end - t, status: res.statusCode ?? 0 });
            resolve();
          });
        });
        req.on("error", () => {
          errors++;
          resolve();
        });
        req.end(r.body);
      });
    const startedAbs = absoluteNow();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < requests.length) await send(requests[next++] as (typeof requests)[number]);
      }),
    );
    return { samples, errors, startedAbs, endedAbs: absoluteNow() };
  };
  let k = 0;
  process.on("message", (m: string) => {
    if (m === "go") void flood(batches[k++] ?? []).then((report) => process.send?.(report));
    else if (m === "exit") {
      agent.destroy();
      process.exit(0);
    }
  });
  process.send?.("ready");
}

/** Starts the flood client process; `flood()` runs one flood, with times on this process's clock. */
async function startFloodClient(port: number, amount: number, repeat: number): Promise<{ flood(): Promise<StreamResult>; close(): void }> {
  const child = fork(SELF, ["--flood-client"], { cwd: ROOT, execArgv: ["--import", "tsx"], env: { ...process.env, LOAD_FLOOD: JSON.stringify({ port, amount, repeat }) }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`flood client exited with ${code}`)));
  });
  const local = (abs: number) => abs - performance.timeOrigin;
  return {
    flood: () =>
      new Promise((resolve) => {
        child.once("message", (r: FloodReport) =>
          resolve({ name: "forged", samples: r.samples.map((x) => ({ end: local(x.endAbs), ms: x.ms, status: x.status })), errors: r.errors, started: local(r.startedAbs), ended: local(r.endedAbs) }),
        );
        child.send("go");
      }),
    close: () => {
      child.removeAllListeners("exit");
      child.send("exit");
    },
  };
}

// ---- phases --------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drainZalo(svc: ServiceChild, limitMs = 600_000): Promise<{ ms: number; drained: boolean }> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if ((await svc.call("pending")).pending === 0) return { ms: Math.round(performance.now() - started), drained: true };
    await sleep(100);
  }
  return { ms: Math.round(performance.now() - started), drained: false };
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

function memoryRow(m: Memory) {
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), afterGc: m.gc };
}

interface Target {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

function printFigures(title: string, f: LatencyFigures): void {
  process.stdout.write(
    `${title.padEnd(44)} ${String(f.requestsPerSecond).padStart(8)} req/s  p50 ${String(f.p50).padStart(6)} ms  p95 ${String(f.p95).padStart(6)} ms  p99 ${String(f.p99).padStart(6)} ms  n=${f.requests} errors=${f.errors} non2xx=${f.non2xx}\n`,
  );
}

/** Latency of real traffic whose requests overlapped the flood (start = end - latency). */
function during(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.end >= from && s.end - s.ms <= to);
}

async function shortRun(o: Options, svc: ServiceChild, fakes: { zalo: Fake; telegram: Fake }) {
  const traffic = createTraffic(await loadQuestions());
  const d = o.duration;
  process.stdout.write(`Khởi động nóng ${o.warmup} s…\n`);
  await runStream(svc.port, { name: "warmup", path: "/api/ask", make: traffic.ask, connections: o.connections, duration: o.warmup });
  const memBefore = (await svc.call("memory")).memory as Memory;

  const cpu = async () => (await svc.call("cpu")).cpuMs ?? 0;
  const cpuBeforeAsk = await cpu();
  const askMax = await runStream(svc.port, { name: "ask-max", path: "/api/ask", make: traffic.ask, connections: o.connections, duration: d });
  const askCpuMsPerRequest = round((await cpu()) - cpuBeforeAsk) / Math.max(1, askMax.samples.length);
  const askMaxF = figures(askMax.samples, (askMax.ended - askMax.started) / 1000, askMax.errors);
  printFigures(`/api/ask, ${o.connections} kết nối (tối đa)`, askMaxF);
  process.stdout.write(`  thời gian CPU của dịch vụ: ${round(askCpuMsPerRequest, 3)} ms mỗi câu hỏi\n`);

  const askRate = await runStream(svc.port, { name: "ask-rate", path: "/api/ask", make: traffic.ask, connections: 50, rate: o.askRate, duration: d });
  const askRateF = figures(askRate.samples, (askRate.ended - askRate.started) / 1000, askRate.errors);
  printFigures(`/api/ask, cố định ${o.askRate} req/s`, askRateF);

  const loop = async () => (await svc.call("loop")).loop as LoopDelay;
  const zaloSentBefore = fakes.zalo.sent;
  await loop();
  const zalo = await runStream(svc.port, { name: "zalo", path: "/webhooks/zalo", make: traffic.zalo, connections: 20, rate: o.zaloRate, duration: d });
  const zaloF = figures(zalo.samples, (zalo.ended - zalo.started) / 1000, zalo.errors);
  const zaloLoop = await loop();
  printFigures(`Zalo webhook (ký hợp lệ), ${o.zaloRate} req/s`, zaloF);
  process.stdout.write(`  độ trễ vòng sự kiện của dịch vụ: p99 ${zaloLoop.p99} ms, lớn nhất ${zaloLoop.max} ms\n`);
  const pendingAtEnd = (await svc.call("pending")).pending ?? 0;
  const zaloDrain = await drainZalo(svc);
  const zaloMessages = fakes.zalo.sent - zaloSentBefore;
  process.stdout.write(`  hàng chờ Zalo khi hết tải: ${pendingAtEnd} việc; trả lời hết sau ${zaloDrain.ms} ms; ${zaloMessages} tin đã gửi sang Zalo giả\n`);

  const tgSentBefore = fakes.telegram.sent;
  await loop();
  const telegram = await runStream(svc.port, { name: "telegram", path: TELEGRAM_PATH, make: traffic.telegram, connections: 20, rate: o.telegramRate, duration: d });
  const telegramF = figures(telegram.samples, (telegram.ended - telegram.started) / 1000, telegram.errors);
  const telegramLoop = await loop();
  printFigures(`Telegram webhook (đúng mã bí mật), ${o.telegramRate} req/s`, telegramF);
  process.stdout.write(`  độ trễ vòng sự kiện của dịch vụ: p99 ${telegramLoop.p99} ms, lớn nhất ${telegramLoop.max} ms\n`);
  const telegramMessages = fakes.telegram.sent - tgSentBefore;
  process.stdout.write(`  ${telegramMessages} tin đã gửi sang Telegram giả (Telegram: trả lời xong trong chính yêu cầu webhook)\n`);

  // Real traffic alone, then the same real traffic while forged webhook requests flood in.
  // A flood of 1,000 lasts a fraction of a second on loopback, so it is repeated (--flood-repeat)
  // inside one window of real traffic, and the real requests that overlapped a flood are pooled.
  const floodD = 15;
  const realZaloRate = 10;
  const real = (): [Promise<StreamResult>, Promise<StreamResult>] => [
    runStream(svc.port, { name: "real-ask", path: "/api/ask", make: traffic.ask, connections: 20, rate: o.floodAskRate, duration: floodD }),
    runStream(svc.port, { name: "real-zalo", path: "/webhooks/zalo", make: traffic.zalo, connections: 5, rate: realZaloRate, duration: floodD }),
  ];
  const [baseAsk, baseZalo] = await Promise.all(real());
  await drainZalo(svc);
  const flooder = await startFloodClient(svc.port, o.flood, o.floodRepeat + 1);
  await sleep(1000);
  // What a flood costs the service itself: its CPU time for one flood with no other traffic.
  const cpuBeforeFlood = await cpu();
  const alone = await flooder.flood();
  const floodCpuMs = round((await cpu()) - cpuBeforeFlood);
  process.stdout.write(`Một đợt lũ ${o.flood} yêu cầu giả mạo, không có tải khác: ${Math.round(alone.ended - alone.started)} ms; dịch vụ tốn ${floodCpuMs} ms CPU (${round((floodCpuMs / o.flood) * 1000, 0)} µs mỗi yêu cầu)\n`);
  await sleep(1000);
  const sentBeforeFlood = { telegram: fakes.telegram.sent };
  const realStarted = performance.now();
  const realRuns = real();
  await sleep(1000);
  const floods: StreamResult[] = [];
  while (floods.length < o.floodRepeat && performance.now() - realStarted < (floodD - 2) * 1000) {
    floods.push(await flooder.flood());
    await sleep(1000);
  }
  const [floodAsk, floodZalo] = await Promise.all(realRuns);
  flooder.close();
  await drainZalo(svc);
  const windows = floods.map((f) => [f.started, f.ended] as const);
  const floodSeconds = windows.reduce((sum, [a, b]) => sum + (b - a) / 1000, 0);
  const inFloods = (samples: readonly Sample[]) => samples.filter((x) => windows.some(([a, b]) => during([x], a, b).length > 0));
  const forged = floods.flatMap((f) => f.samples);
  const forgedErrors = floods.reduce((sum, f) => sum + f.errors, 0);
  const refused = forged.filter((x) => x.status === 401 || x.status === 403).length;
  const floodFigures = {
    alone: { ms: Math.round(alone.ended - alone.started), serviceCpuMs: floodCpuMs, serviceCpuMicrosecondsPerRequest: round((floodCpuMs / o.flood) * 1000, 0), refused: alone.samples.filter((x) => x.status === 401 || x.status === 403).length },
    floods: floods.length,
    forgedPerFlood: o.flood,
    forged: forged.length + forgedErrors,
    refused401or403: refused,
    otherStatuses: figures(forged, 1, 0).statuses,
    floodMs: windows.map(([a, b]) => Math.round(b - a)),
    forgedLatency: figures(forged, floodSeconds, forgedErrors),
    // Forged updates must not reach the bot: any Telegram message sent during the floods is a leak.
    telegramMessagesDuringFlood: fakes.telegram.sent - sentBeforeFlood.telegram,
    realAsk: {
      rate: o.floodAskRate,
      withoutFlood: figures(baseAsk.samples, floodD, baseAsk.errors),
      duringFloods: figures(inFloods(floodAsk.samples), floodSeconds, 0),
      wholeRunWithFloods: figures(floodAsk.samples, floodD, floodAsk.errors),
    },
    realZaloAck: {
      rate: realZaloRate,
      withoutFlood: figures(baseZalo.samples, floodD, baseZalo.errors),
      duringFloods: figures(inFloods(floodZalo.samples), floodSeconds, 0),
      wholeRunWithFloods: figures(floodZalo.samples, floodD, floodZalo.errors),
    },
  };
  process.stdout.write(
    `${floods.length} đợt lũ × ${o.flood} yêu cầu giả mạo (mỗi đợt ${floodFigures.floodMs.join(", ")} ms): ${refused}/${floodFigures.forged} bị từ chối 401/403, ${forgedErrors} lỗi kết nối; trạng thái ${JSON.stringify(floodFigures.otherStatuses)}; ${floodFigures.telegramMessagesDuringFlood} tin Telegram gửi đi\n`,
  );
  printFigures(`  /api/ask ${o.floodAskRate} req/s, không có lũ`, floodFigures.realAsk.withoutFlood);
  printFigures(`  /api/ask ${o.floodAskRate} req/s, trong lúc lũ`, floodFigures.realAsk.duringFloods);
  printFigures(`  Zalo hợp lệ ${realZaloRate} req/s, không có lũ`, floodFigures.realZaloAck.withoutFlood);
  printFigures(`  Zalo hợp lệ ${realZaloRate} req/s, trong lúc lũ`, floodFigures.realZaloAck.duringFloods);

  const memAfter = (await svc.call("memory")).memory as Memory;
  process.stdout.write(`Bộ nhớ dịch vụ (sau GC): trước ${mb(memBefore.rss)} MB RSS / heap ${mb(memBefore.heapUsed)} MB; sau ${mb(memAfter.rss)} MB RSS / heap ${mb(memAfter.heapUsed)} MB\n`);

  const targets: Target[] = [
    { name: "/api/ask: thông lượng", target: "≥ 300 req/s", value: `${askMaxF.requestsPerSecond} req/s (${o.connections} kết nối)`, met: askMaxF.requestsPerSecond >= 300 && askMaxF.non2xx === 0 },
    { name: `/api/ask: p95 ở ${o.askRate} req/s`, target: "≤ 50 ms", value: `${askRateF.p95} ms (đo ở ${askRateF.requestsPerSecond} req/s)`, met: askRateF.p95 <= 50 && askRateF.requestsPerSecond >= 0.95 * o.askRate },
    { name: "/api/ask: p95 ở thông lượng tối đa", target: "≤ 50 ms", value: `${askMaxF.p95} ms`, met: askMaxF.p95 <= 50 },
    { name: "Webhook Zalo: p99 thời gian nhận (ack)", target: "≤ 50 ms", value: `${zaloF.p99} ms`, met: zaloF.p99 <= 50 && zaloF.non2xx === 0 },
    { name: "Webhook Telegram: p99 thời gian nhận (ack)", target: "≤ 50 ms", value: `${telegramF.p99} ms`, met: telegramF.p99 <= 50 && telegramF.non2xx === 0 },
    {
      name: "Yêu cầu webhook giả mạo bị từ chối",
      target: "tất cả → 401/403, không gửi gì",
      value: `${refused + floodFigures.alone.refused}/${floodFigures.forged + alone.samples.length + alone.errors} (${floods.length + 1} × ${o.flood})`,
      met: refused === floodFigures.forged && floodFigures.forged === floods.length * o.flood && floodFigures.alone.refused === o.flood && floodFigures.telegramMessagesDuringFlood === 0,
    },
    {
      name: `/api/ask thật (${o.floodAskRate} req/s) trong lúc lũ`,
      target: "p95 ≤ 50 ms, không lỗi",
      value: `p95 ${floodFigures.realAsk.withoutFlood.p95} → ${floodFigures.realAsk.duringFloods.p95} ms, p99 ${floodFigures.realAsk.withoutFlood.p99} → ${floodFigures.realAsk.duringFloods.p99} ms (n=${floodFigures.realAsk.duringFloods.requests})`,
      met: floodFigures.realAsk.duringFloods.p95 <= 50 && floodAsk.errors === 0 && floodFigures.realAsk.wholeRunWithFloods.non2xx === 0,
    },
    {
      name: `Zalo thật (${realZaloRate} req/s) trong lúc lũ`,
      target: "p99 ≤ 50 ms, không lỗi",
      value: `p99 ${floodFigures.realZaloAck.withoutFlood.p99} → ${floodFigures.realZaloAck.duringFloods.p99} ms (n=${floodFigures.realZaloAck.duringFloods.requests})`,
      met: floodFigures.realZaloAck.duringFloods.p99 <= 50 && floodZalo.errors === 0 && floodFigures.realZaloAck.wholeRunWithFloods.non2xx === 0,
    },
  ];
  return {
    ask: { closedLoop: askMaxF, serviceCpuMsPerRequest: round(askCpuMsPerRequest, 3), fixedRate: askRateF },
    zalo: { ack: zaloF, serviceEventLoopDelayMs: zaloLoop, pendingWhenLoadStopped: pendingAtEnd, drainMs: zaloDrain.ms, drained: zaloDrain.drained, messagesSent: zaloMessages, events: zalo.samples.length },
    telegram: { ack: telegramF, serviceEventLoopDelayMs: telegramLoop, messagesSent: telegramMessages, note: "grammY answers a webhook update within its request: the ack comes after the answer was sent" },
    flood: floodFigures,
    memory: { before: memoryRow(memBefore), after: memoryRow(memAfter) },
    targets,
  };
}

async function soakRun(o: Options, svc: ServiceChild, fakes: { zalo: Fake; telegram: Fake }) {
  const traffic = createTraffic(await loadQuestions());
  const mixed = (duration: number): [Promise<StreamResult>, Promise<StreamResult>, Promise<StreamResult>] => [
    runStream(svc.port, { name: "ask", path: "/api/ask", make: traffic.ask, connections: 20, rate: o.soakAskRate, duration }),
    runStream(svc.port, { name: "telegram", path: TELEGRAM_PATH, make: traffic.telegram, connections: 10, rate: o.soakTelegramRate, duration }),
    runStream(svc.port, { name: "zalo", path: "/webhooks/zalo", make: traffic.zalo, connections: 5, rate: o.soakZaloRate, duration }),
  ];
  process.stdout.write(`Khởi động nóng ${o.warmup} s (cùng loại tải)…\n`);
  await Promise.all(mixed(o.warmup));
  await drainZalo(svc);
  const start = (await svc.call("memory")).memory as Memory;
  const series: Array<{ t: number } & ReturnType<typeof memoryRow>> = [{ t: 0, ...memoryRow(start) }];
  process.stdout.write(`Chạy dài ${o.duration} s: /api/ask ${o.soakAskRate} req/s, Telegram ${o.soakTelegramRate} req/s, Zalo ${o.soakZaloRate} req/s\n`);
  const t0 = performance.now();
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sleep(60_000);
      if (!running) break;
      const m = (await svc.call("memory")).memory as Memory;
      const row = { t: Math.round((performance.now() - t0) / 1000), ...memoryRow(m) };
      series.push(row);
      process.stdout.write(`  t=${row.t}s RSS ${row.rssMb} MB, heap ${row.heapUsedMb} MB (sau GC)\n`);
    }
  })();
  const zaloBefore = fakes.zalo.sent;
  await svc.call("loop");
  const [ask, telegram, zalo] = await Promise.all(mixed(o.duration));
  running = false;
  const soakLoop = (await svc.call("loop")).loop as LoopDelay;
  const pendingAtEnd = (await svc.call("pending")).pending ?? 0;
  const drain = await drainZalo(svc);
  const end = (await svc.call("memory")).memory as Memory;
  await sampler.catch(() => undefined);
  series.push({ t: Math.round((performance.now() - t0) / 1000), ...memoryRow(end) });
  const f = (r: StreamResult) => figures(r.samples, (r.ended - r.started) / 1000, r.errors);
  const result = { ask: f(ask), telegram: f(telegram), zaloAck: f(zalo) };
  printFigures("/api/ask (chạy dài)", result.ask);
  printFigures("Telegram webhook (chạy dài)", result.telegram);
  printFigures("Zalo webhook ack (chạy dài)", result.zaloAck);
  process.stdout.write(`  độ trễ vòng sự kiện của dịch vụ: p99 ${soakLoop.p99} ms, lớn nhất ${soakLoop.max} ms (có cả các lần GC đo bộ nhớ mỗi phút)\n`);
  const growth = (a: number, b: number) => round(((b - a) / a) * 100, 1);
  const rssGrowth = growth(start.rss, end.rss);
  const heapGrowth = growth(start.heapUsed, end.heapUsed);
  // A leak keeps growing; allocator and JIT warm-up level off. Growth over the second half tells them apart.
  const middle = series.reduce((best, r) => (Math.abs(r.t - o.duration / 2) < Math.abs(best.t - o.duration / 2) ? r : best), series[0] as (typeof series)[number]);
  const secondHalf = { fromT: middle.t, rssPercent: growth(middle.rssMb, mb(end.rss)), heapPercent: growth(middle.heapUsedMb, mb(end.heapUsed)) };
  process.stdout.write(`Bộ nhớ sau GC: đầu ${mb(start.rss)} MB RSS / heap ${mb(start.heapUsed)} MB → cuối ${mb(end.rss)} MB RSS / heap ${mb(end.heapUsed)} MB (RSS ${rssGrowth}%, heap ${heapGrowth}%)\n`);
  process.stdout.write(`Nửa sau (từ t=${secondHalf.fromT}s): RSS ${secondHalf.rssPercent}%, heap ${secondHalf.heapPercent}%\n`);
  process.stdout.write(`Hàng chờ Zalo khi hết tải: ${pendingAtEnd}; trả lời hết sau ${drain.ms} ms; ${fakes.zalo.sent - zaloBefore} tin gửi sang Zalo giả\n`);
  const targets: Target[] = [
    { name: "Chạy dài: RSS tăng (sau GC)", target: "≤ 10%", value: `${rssGrowth}%`, met: rssGrowth <= 10 },
    { name: "Chạy dài: heap tăng (sau GC)", target: "≤ 10%", value: `${heapGrowth}%`, met: heapGrowth <= 10 },
    { name: "Chạy dài: /api/ask p95", target: "≤ 50 ms", value: `${result.ask.p95} ms`, met: result.ask.p95 <= 50 },
    { name: "Chạy dài: webhook p99 ack", target: "≤ 50 ms", value: `Zalo ${result.zaloAck.p99} ms, Telegram ${result.telegram.p99} ms`, met: result.zaloAck.p99 <= 50 && result.telegram.p99 <= 50 },
  ];
  return {
    ...result,
    serviceEventLoopDelayMs: soakLoop,
    zalo: { pendingWhenLoadStopped: pendingAtEnd, drainMs: drain.ms, drained: drain.drained, messagesSent: fakes.zalo.sent - zaloBefore },
    memory: { start: memoryRow(start), end: memoryRow(end), rssGrowthPercent: rssGrowth, heapGrowthPercent: heapGrowth, secondHalf, series },
    targets,
  };
}

/** The cost of one commit (one row, as the store writes it) with synchronous NORMAL vs FULL, in WAL mode. */
async function durability(work: string, n: number) {
  const results: Record<string, { meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; commitsPerSecond: number }> = {};
  for (const mode of ["NORMAL", "FULL"] as const) {
    const dir = path.join(work, `sqlite-${mode}`);
    mkdirSync(dir, { recursive: true });
    const db = new Database(path.join(dir, "bench.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${mode}`);
    db.pragma("foreign_keys = ON");
    migrate(db);
    db.prepare("INSERT INTO users (key, channel, created_at) VALUES ('u', 'web', ?)").run(new Date().toISOString());
    const insert = db.prepare(
      "INSERT INTO messages (user_key, channel, question, kind, confidence, commune, sources, latency_ms, created_at) VALUES ('u', 'web', NULL, 'extractive', 0.8, 'cong-hoa', '[\"a\",\"b\"]', 1.2, ?)",
    );
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      insert.run(new Date().toISOString());
      times.push(performance.now() - t);
    }
    db.close();
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    results[mode] = { meanMs: round(mean, 3), p50Ms: round(percentile(times, 50), 3), p95Ms: round(percentile(times, 95), 3), p99Ms: round(percentile(times, 99), 3), commitsPerSecond: Math.round(1000 / mean) };
    process.stdout.write(`synchronous=${mode.padEnd(6)} trung bình ${results[mode].meanMs} ms/lần ghi, p95 ${results[mode].p95Ms} ms, ${results[mode].commitsPerSecond} lần ghi/giây\n`);
  }
  return results;
}

// ---- main ----------------------------------------------------------------------------------

interface Options {
  soak: boolean;
  duration: number;
  warmup: number;
  connections: number;
  askRate: number;
  zaloRate: number;
  telegramRate: number;
  flood: number;
  floodRepeat: number;
  floodAskRate: number;
  soakAskRate: number;
  soakTelegramRate: number;
  soakZaloRate: number;
  outDir: string;
  markdown: string | undefined;
}

function markdownTable(targets: readonly Target[]): string {
  const rows = targets.map((t) => `| ${t.name} | ${t.target} | ${t.value} | ${t.met ? "đạt" : "**chưa đạt**"} |`);
  return ["| Chỉ tiêu | Mục tiêu | Đo được | |", "|---|---|---|---|", ...rows].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: "boolean", default: false },
      "flood-client": { type: "boolean", default: false },
      soak: { type: "boolean", default: false },
      durability: { type: "boolean", default: false },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string", default: "10" },
      "ask-rate": { type: "string", default: "300" },
      "zalo-rate": { type: "string", default: "25" },
      "telegram-rate": { type: "string", default: "50" },
      flood: { type: "string", default: "1000" },
      "flood-repeat": { type: "string", default: "5" },
      "flood-ask-rate": { type: "string", default: "300" },
      "soak-ask-rate": { type: "string", default: "100" },
      "soak-telegram-rate": { type: "string", default: "10" },
      "soak-zalo-rate": { type: "string", default: "2" },
      "out-dir": { type: "string", default: "bench/results" },
      markdown: { type: "string" },
    },
  });
  if (values.serve) return serve();
  if (values["flood-client"]) return floodClient();

  const num = (v: string | undefined, fallback: number, name: string) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} phải là số dương`);
    return n;
  };
  const o: Options = {
    soak: values.soak,
    duration: num(values.duration, values.soak ? 300 : 10, "duration"),
    warmup: num(values.warmup, values.soak ? 30 : 3, "warmup"),
    connections: num(values.connections, 10, "connections"),
    askRate: num(values["ask-rate"], 300, "ask-rate"),
    zaloRate: num(values["zalo-rate"], 25, "zalo-rate"),
    telegramRate: num(values["telegram-rate"], 50, "telegram-rate"),
    flood: num(values.flood, 1000, "flood"),
    floodRepeat: num(values["flood-repeat"], 5, "flood-repeat"),
    floodAskRate: num(values["flood-ask-rate"], 300, "flood-ask-rate"),
    soakAskRate: num(values["soak-ask-rate"], 100, "soak-ask-rate"),
    soakTelegramRate: num(values["soak-telegram-rate"], 10, "soak-telegram-rate"),
    soakZaloRate: num(values["soak-zalo-rate"], 2, "soak-zalo-rate"),
    outDir: path.resolve(ROOT, values["out-dir"] ?? "bench/results"),
    markdown: values.markdown,
  };

  const work = await mkdtemp(path.join(os.tmpdir(), "tro-ly-so-load-"));
  const stamp = new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "");
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "?", memoryGb: round(os.totalmem() / 1024 ** 3, 1), node: process.version, platform: `${os.platform()} ${os.release()}` };
  const write = async (name: string, report: object) => {
    await writeFile(path.join(o.outDir, `${name}-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(o.outDir, `${name}-latest.json`), `${JSON.stringify(report, null, 2)}\n`);
  };
  mkdirSync(o.outDir, { recursive: true });

  try {
    if (values.durability) {
      const report = { date: new Date().toISOString(), mode: "durability", machine, dataDir: work, commits: 2000, results: await durability(work, 2000) };
      await write("durability", report);
      process.stdout.write(`Đã ghi ${path.relative(ROOT, path.join(o.outDir, `durability-${stamp}.json`))}\n`);
      return;
    }
    process.stdout.write(`Máy: ${machine.cpus} nhân (${machine.cpuModel}), Node ${machine.node}. Dịch vụ chạy ở tiến trình con, LOG_LEVEL=warn, API_RATE_LIMIT_PER_MINUTE=${API_RATE_LIMIT} (giới hạn theo IP đặt rất cao cho lần đo này).\n`);
    const loadBefore = round(os.loadavg()[0] ?? 0, 2);
    if (loadBefore > 0.5 * machine.cpus) process.stdout.write(`Cảnh báo: máy đang bận (tải trung bình 1 phút ${loadBefore} trên ${machine.cpus} nhân); số đo sẽ thấp hơn thực tế.\n`);
    const fakes = { zalo: await startFakeZalo(), telegram: await startFakeTelegram() };
    const svc = await startChild(work, fakes);
    const rssAtStart = ((await svc.call("memory")).memory as Memory).rss;
    process.stdout.write(`Dịch vụ sẵn sàng ở cổng ${svc.port}; RSS lúc đầu ${mb(rssAtStart)} MB\n`);
    let results;
    try {
      results = o.soak ? await soakRun(o, svc, fakes) : await shortRun(o, svc, fakes);
    } finally {
      const exited = new Promise<number | null>((r) => svc.child.once("exit", (code) => r(code)));
      await svc.call("stop");
      await exited;
      await fakes.zalo.close();
      await fakes.telegram.close();
    }
    const report = {
      date: new Date().toISOString(),
      mode: o.soak ? "soak" : "load",
      machine,
      options: { ...o, outDir: path.relative(ROOT, o.outDir), apiRateLimitPerMinute: Number(API_RATE_LIMIT), userPool: USER_POOL, llm: "off (default mode)" },
      rssAtStartMb: mb(rssAtStart),
      // Other work on the machine skews every figure: the 1-minute load average before and after.
      loadAverage: { before: loadBefore, after: round(os.loadavg()[0] ?? 0, 2) },
      results,
    };
    const name = o.soak ? "load-soak" : "load";
    await write(name, report);
    process.stdout.write(`\n${markdownTable(results.targets)}\n\nĐã ghi ${path.relative(ROOT, path.join(o.outDir, `${name}-${stamp}.json`))} và ${name}-latest.json\n`);
    if (o.markdown) await writeFile(o.markdown, `${markdownTable(results.targets)}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run load thất bại: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
