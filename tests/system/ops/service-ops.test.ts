/**
 * The whole service on loopback with every channel on (Telegram webhook against a fake Bot API,
 * Zalo against a fake Zalo, the console): /healthz fields and its 503, 413 on every route that
 * takes a body, security headers on the console's pages.
 */
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/logger.js";
import { startService, type Service } from "../../../src/app/service.js";
import { SCHEMA_VERSION } from "../../../src/storage/migrations.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { APP_ID, APP_SECRET, OA_SECRET, startFakeZalo, type FakeZalo } from "../../helpers/fake-zalo.js";
import { BOT_INFO } from "../../helpers/telegram.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const SECRET = "s3cret_Token-for-tests";

let dataDir: string;
let service: Service;
let zalo: FakeZalo;
let botApi: Server;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-ops-"));
  zalo = await startFakeZalo({ access: ["env-access"], refresh: ["env-refresh"] });
  // A Bot API that accepts setWebhook (getMe is skipped with preset bot info).
  botApi = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result: true })));
  });
  await new Promise<void>((resolve) => botApi.listen(0, "127.0.0.1", resolve));
  const config = createConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${(botApi.address() as AddressInfo).port}`,
    TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    ZALO_APP_ID: APP_ID,
    ZALO_APP_SECRET_KEY: APP_SECRET,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "env-access",
    ZALO_REFRESH_TOKEN: "env-refresh",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
    CONSOLE_PASSWORD: "mat-khau-thu-nghiem",
  });
  service = await startService(config, createLogger("silent"), { telegramBotInfo: BOT_INFO, telegramAutoRetry: false });
  base = `http://127.0.0.1:${service.port}`;
  await service.telegramReady;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await zalo?.close();
  await new Promise((resolve) => botApi?.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

type ErrorJson = { error: { code: string } };

interface Health {
  status: string;
  index: { embedder: string; dimensions: number; builtAt: string; contentHash: string; files: { ok: boolean; problem: string | null; verifiedAt: string | null; repairing: boolean } };
  knowledge: { asOf: { newest: string; oldest: string } };
  database: { ok: boolean; schemaVersion: number | null; expectedSchemaVersion: number; error?: string };
  channels: {
    telegram: { state: string; connected: boolean };
    zalo: { state: string; tokens?: { hasAccessToken: boolean; canRefresh: boolean; expiresAt: string | null }; pendingJobs?: number };
    console: { state: string };
  };
}

describe("GET /healthz of the running service", () => {
  it("should report index, knowledge as_of, database and every channel", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body.status).toBe("ok");
    expect(body.index.contentHash).toBe(service.engine.index.manifest.contentHash.slice(0, 12));
    expect(body.index.embedder).toMatch(/^hashed-ngrams/);
    // The index files were hashed and match the manifest's checksums.
    expect(body.index.files).toMatchObject({ ok: true, problem: null, repairing: false });
    expect(Number.isNaN(Date.parse(body.index.files.verifiedAt ?? ""))).toBe(false);
    expect(body.knowledge.asOf.newest).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.database).toEqual({ ok: true, schemaVersion: SCHEMA_VERSION, expectedSchemaVersion: SCHEMA_VERSION });
    expect(body.channels.telegram).toEqual({ state: "webhook", connected: true });
    expect(body.channels.zalo).toMatchObject({ state: "on", tokens: { hasAccessToken: true, canRefresh: true }, pendingJobs: 0 });
    expect(body.channels.console).toEqual({ state: "on" });
    // Nothing secret is exposed.
    const text = JSON.stringify(body);
    for (const secret of [TOKEN, SECRET, OA_SECRET, APP_SECRET, "env-access", "env-refresh"]) expect(text).not.toContain(secret);
  });
});

describe("body size limit on every route that takes a body", () => {
  const big = JSON.stringify({ question: "x".repeat(100_000) });
  it.each([
    ["/api/ask", { "content-type": "application/json" }],
    ["/webhooks/zalo", { "content-type": "application/json" }],
    ["/webhooks/telegram", { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }],
    ["/console/dang-nhap", { "content-type": "application/x-www-form-urlencoded" }],
    ["/console/api/ask", { "content-type": "application/json" }],
  ])("should answer 413 PAYLOAD_TOO_LARGE on POST %s", async (route, headers) => {
    const res = await fetch(`${base}${route}`, { method: "POST", headers, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("should still answer normal requests on those routes", async () => {
    const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "vneid muc 2" }) });
    expect(res.status).toBe(200);
    // A small unsigned Zalo event is refused for its signature, not its size.
    const zaloRes = await fetch(`${base}/webhooks/zalo`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(zaloRes.status).toBe(401);
  });
});

describe("security headers on the console", () => {
  it.each(["/console/dang-nhap", "/console/static/console.js", "/console/hoi-dap", "/console/api/queue"])("should send them on %s", async (route) => {
    const res = await fetch(`${base}${route}`, { redirect: "manual" });
    expect(res.status).toBeLessThan(500);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("should serve the sign-in page without inline script", async () => {
    const res = await fetch(`${base}/console/dang-nhap`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("<form");
    for (const tag of page.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\ssrc="/);
    expect(page).not.toMatch(/\son[a-z]+="/);
    expect(page).not.toMatch(/\sstyle="/);
  });
});

describe("GET /healthz when the database fails", () => {
  it("should answer 503 with the database marked not ok", async () => {
    service.store.close();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as Health;
    expect(body.status).toBe("unavailable");
    expect(body.database).toMatchObject({ ok: false, schemaVersion: null, error: "closed" });
    // The rest of the report is still there for the operator.
    expect(body.channels.telegram.state).toBe("webhook");
    expect(body.index.contentHash).toMatch(/^[0-9a-f]{12}$/);
  });
});
