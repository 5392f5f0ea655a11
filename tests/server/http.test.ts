import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/server/http.js";
import { testEngine } from "../helpers/engine.js";

let app: FastifyInstance;
let base: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await testEngine();
  cleanup = t.cleanup;
  app = await createHttpServer({ engine: t.engine, logger: pino({ level: "silent" }) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await cleanup();
});

const ask = (body: string, contentType = "application/json") =>
  fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": contentType }, body });

describe("HTTP service", () => {
  it("should report health with the index it serves", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; chunks: number; index: { embedder: string } };
    expect(body.status).toBe("ok");
    expect(body.chunks).toBeGreaterThan(50);
    expect(body.index.embedder).toMatch(/^hashed-ngrams/);
  });

  it("should answer POST /api/ask with the public JSON shape", async () => {
    const res = await ask(JSON.stringify({ question: "ty le dung chung tram bts cua xa cong hoa" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["answer", "commune", "confidence", "kind", "lang", "ms", "sources"]);
    expect(body.answer).toContain("30%");
    expect(["faq", "extractive"]).toContain(body.kind);
    expect((body.sources as Array<{ id: string; title: string; section: string; url: string | null }>)[0]).toMatchObject({
      id: "ke-hoach-ha-tang-so-cong-hoa-2025",
      url: null,
    });
  });

  it("should accept a JSON body sent without a JSON content type (curl -d)", async () => {
    const res = await ask(JSON.stringify({ question: "kq xsmb hom nay" }), "application/x-www-form-urlencoded");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { kind: string }).kind).toBe("refusal");
  });

  it.each([
    ["an empty question", JSON.stringify({ question: "   " }), "QUESTION_EMPTY"],
    ["a 5,000-character question", JSON.stringify({ question: "a".repeat(5000) }), "QUESTION_TOO_LONG"],
    ["a missing question", JSON.stringify({ q: "x" }), "INVALID_BODY"],
    ["a question that is not a string", JSON.stringify({ question: 42 }), "INVALID_BODY"],
    ["broken JSON", "{\"question\": ", "INVALID_BODY"],
    ["an unknown commune", JSON.stringify({ question: "toc do", commune: "ha-noi" }), "COMMUNE_UNKNOWN"],
  ])("should reject %s with 400 and a Vietnamese message", async (_name, body, code) => {
    const res = await ask(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).toMatch(/[ăâđêôơưàáảãạ]/);
  });

  it("should reject an oversized body with 413", async () => {
    const res = await ask(JSON.stringify({ question: "x".repeat(100_000) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("should answer unknown paths with 404 and an error code", async () => {
    const res = await fetch(`${base}/khong-co`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("should serve the chat page and its script with a strict content security policy", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('lang="vi"');
    expect(html).toContain("/chat.js");
    const js = await fetch(`${base}/chat.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain("/api/ask");
  });
});
