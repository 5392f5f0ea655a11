/**
 * Abuse limits of the HTTP server on loopback: per-address rate limit on /api/ask, body size
 * limits, slow clients cut off by the header and request timeouts, security headers, /healthz.
 */
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../../src/app/engine.js";
import { createHttpServer, type HttpServerDeps } from "../../../src/server/http.js";
import { testEngine } from "../../helpers/engine.js";

let engine: Engine;
let cleanup: () => Promise<void>;
const servers: FastifyInstance[] = [];

beforeAll(async () => {
  const t = await testEngine();
  engine = t.engine;
  cleanup = t.cleanup;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await cleanup();
});

async function serve(extra: Partial<HttpServerDeps> = {}): Promise<{ base: string; port: number }> {
  const app = await createHttpServer({ engine, logger: pino({ level: "silent" }), ...extra });
  await app.listen({ port: 0, host: "127.0.0.1" });
  servers.push(app);
  const port = (app.server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port };
}

const ask = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ question: "vneid muc 2 la gi" }) });

type ErrorJson = { error: { code: string; message: string } };

/**
 * A raw TCP client that opens a request with `head`, then keeps sending `drip` every 100 ms and
 * never finishes. Resolves with what the server sent once the server closes the connection, or
 * with `gaveUp` if it is still open after 15 s (a guard, not a timing assertion).
 */
function slowClient(port: number, head: string, drip: string): Promise<{ received: string; gaveUp: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    let gaveUp = false;
    const dripper = setInterval(() => socket.writable && socket.write(drip), 100);
    const guard = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, 15_000);
    socket.on("connect", () => socket.write(head));
    socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(dripper);
      clearTimeout(guard);
      resolve({ received, gaveUp });
    });
  });
}

describe("per-address rate limit on POST /api/ask", () => {
  it("should answer 429 RATE_LIMITED with Retry-After and a Vietnamese message beyond the limit", async () => {
    const { base } = await serve({ apiRateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await ask(base)).status).toBe(200);
    const res = await ask(base);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.message).toContain("quá nhiều câu hỏi");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    // Other routes are not limited.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it("should not limit when the limit is 0 (off)", async () => {
    const { base } = await serve({ apiRateLimitPerMinute: 0 });
    const statuses = await Promise.all(Array.from({ length: 12 }, () => ask(base).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it("should ignore X-Forwarded-For unless the proxy is trusted", async () => {
    const direct = await serve({ apiRateLimitPerMinute: 2 });
    expect((await ask(direct.base, { "x-forwarded-for": "203.0.113.1" })).status).toBe(200);
    expect((await ask(direct.base, { "x-forwarded-for": "203.0.113.2" })).status).toBe(200);
    // A forged header does not buy a fresh allowance.
    expect((await ask(direct.base, { "x-forwarded-for": "203.0.113.3" })).status).toBe(429);

    const proxied = await serve({ apiRateLimitPerMinute: 2, trustProxy: ["127.0.0.1"] });
    for (let i = 0; i < 2; i++) expect((await ask(proxied.base, { "x-forwarded-for": "203.0.113.1" })).status).toBe(200);
    expect((await ask(proxied.base, { "x-forwarded-for": "203.0.113.1" })).status).toBe(429);
    // Behind a trusted proxy each resident address has its own allowance.
    expect((await ask(proxied.base, { "x-forwarded-for": "203.0.113.2" })).status).toBe(200);
  });
});

describe("request body limits", () => {
  it("should refuse a declared oversized body with 413 PAYLOAD_TOO_LARGE", async () => {
    const { base } = await serve({ bodyLimit: 1024 });
    const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "x".repeat(5000) }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("should refuse an oversized chunked body (no Content-Length) with 413 too", async () => {
    const { base } = await serve({ bodyLimit: 1024 });
    const chunk = new TextEncoder().encode(`{"question": "${"x".repeat(600)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("slow clients", () => {
  it("should cut off a client that sends its headers slowly (408, connection closed)", async () => {
    const { port, base } = await serve({ timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000, connectionsCheckingIntervalMs: 100 } });
    const { received, gaveUp } = await slowClient(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: a\r\n");
    expect(gaveUp).toBe(false);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    // The server still serves everyone else.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("should cut off a client that sends its body slowly (408, connection closed)", async () => {
    const { port } = await serve({ timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000, connectionsCheckingIntervalMs: 100 } });
    const head = "POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    const { received, gaveUp } = await slowClient(port, head, " ");
    expect(gaveUp).toBe(false);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("should use finite default timeouts", async () => {
    const app = await createHttpServer({ engine, logger: pino({ level: "silent" }) });
    servers.push(app);
    expect(app.server.headersTimeout).toBe(10_000);
    expect(app.server.requestTimeout).toBe(30_000);
    expect(app.server.keepAliveTimeout).toBe(10_000);
    expect(app.server.timeout).toBe(120_000);
  });
});

describe("security headers", () => {
  it.each([
    ["the chat page", "/", "GET"],
    ["a script", "/chat.js", "GET"],
    ["the health check", "/healthz", "GET"],
    ["an unknown path", "/khong-co", "GET"],
    ["an API answer", "/api/ask", "POST"],
  ])("should send CSP without inline script, frame denial, nosniff and no referrer on %s", async (_name, route, method) => {
    const { base } = await serve();
    const res = await fetch(`${base}${route}`, method === "POST" ? { method, headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "vneid" }) } : {});
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("should serve a chat page with no inline script", async () => {
    const { base } = await serve();
    const page = await (await fetch(`${base}/`)).text();
    for (const tag of page.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\ssrc="/);
    expect(page).not.toMatch(/\son[a-z]+="/);
  });
});

describe("GET /healthz without a service", () => {
  it("should report the index version and the knowledge as_of range", async () => {
    const { base } = await serve();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as {
      status: string;
      index: { embedder: string; dimensions: number; builtAt: string; contentHash: string; chunks: number; files: { ok: boolean } };
      knowledge: { asOf: { newest: string; oldest: string } };
    };
    expect(body.status).toBe("ok");
    expect(body.index.contentHash).toBe(engine.index.manifest.contentHash.slice(0, 12));
    expect(body.index.contentHash).toMatch(/^[0-9a-f]{12}$/);
    expect(body.index.dimensions).toBe(engine.index.manifest.dimensions);
    expect(body.index.chunks).toBe(engine.knowledge.chunks.length);
    expect(Number.isNaN(Date.parse(body.index.builtAt))).toBe(false);
    expect(body.index.files.ok).toBe(true);
    const dates = engine.knowledge.docs.map((d) => d.meta.as_of).sort();
    expect(body.knowledge.asOf).toEqual({ newest: dates.at(-1), oldest: dates[0] });
    expect(body.knowledge.asOf.newest > body.knowledge.asOf.oldest).toBe(true);
  });
});
