/**
 * Property-based tests of every HTTP input boundary against the real service on 127.0.0.1 (with
 * loopback stand-ins for the Zalo and Telegram APIs): garbage gets a 4xx, never a 5xx; forged
 * webhooks never a 2xx; correctly signed Zalo garbage reaches the zod layer. `npm run fuzz` runs
 * the same generators and checks on many more inputs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiAskCaseArb,
  checkHttp,
  openSignInForms,
  sendCase,
  signInCaseArb,
  startFuzzService,
  telegramCaseArb,
  telegramForgedCaseArb,
  telegramGarbageCaseArb,
  zaloForgedCaseArb,
  zaloSignedCaseArb,
  type FuzzService,
  type HttpCase,
} from "../../../tools/fuzz.js";
import { signatureHeader } from "../../../src/channels/zalo/signature.js";

let fuzz: FuzzService;
beforeAll(async () => {
  fuzz = await startFuzzService();
});
afterAll(async () => {
  await fuzz?.stop();
});

/** Sends each generated request and checks the response against the target's properties. */
const holds = (arb: fc.Arbitrary<HttpCase>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const response = await sendCase(fuzz.baseUrl, c);
      expect(checkHttp(c, response)).toEqual({});
    }),
    { numRuns },
  );

const post = (path: string, body: string | undefined, headers: Record<string, string>) =>
  fetch(`${fuzz.baseUrl}${path}`, { method: "POST", headers, ...(body !== undefined ? { body } : {}) });

describe("POST /api/ask (property-based)", () => {
  it("should answer questions and reject garbage with a 4xx and an error code, never a 5xx", async () => {
    await holds(apiAskCaseArb(), 150);
  });
});

describe("Zalo webhook (property-based)", () => {
  it("should reject correctly signed garbage with a 4xx, never a 5xx, and answer the valid events without errors", async () => {
    fuzz.takeLoggedErrors();
    await holds(zaloSignedCaseArb(fuzz.context), 150);
    expect(await fuzz.zaloIdle()).toBe(true);
    expect(fuzz.takeLoggedErrors()).toEqual([]);
  });

  it("should refuse forged, missing and malformed signatures with a 4xx", async () => {
    await holds(zaloForgedCaseArb(fuzz.context), 100);
  });

  it("should reach the event schema with a correctly signed body (the fuzzer's signatures are right)", async () => {
    const raw = JSON.stringify({ event_name: "user_send_text", app_id: fuzz.context.zaloAppId, timestamp: String(Date.now()), message: { text: "x" } });
    const ts = String((JSON.parse(raw) as { timestamp: string }).timestamp);
    const res = await post("/webhooks/zalo", raw, { "content-type": "application/json", "x-zevent-signature": signatureHeader(fuzz.context.zaloAppId, raw, ts, fuzz.context.zaloOaSecret) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("EVENT_INVALID");
  });
});

describe("Telegram webhook (property-based)", () => {
  it("should answer well-formed updates with hostile text with 200, without any handler failing", async () => {
    fuzz.takeLoggedErrors();
    await holds(telegramCaseArb(fuzz.context), 60);
    expect(fuzz.takeLoggedErrors()).toEqual([]);
  });

  it("should answer malformed updates and garbage with the right secret without a 5xx", async () => {
    await holds(telegramGarbageCaseArb(fuzz.context), 150);
  });

  it("should refuse requests without the right secret with a 4xx", async () => {
    await holds(telegramForgedCaseArb(fuzz.context), 100);
  });

  // Found by `npm run fuzz`: grammY reads `update.update_id` before its error boundary, so a
  // body that is not an object (JSON null, or no body at all) with the right secret was a 500,
  // which Telegram would keep retrying.
  it.each([
    ["JSON null", "null", "application/json"],
    ["no body", undefined, undefined],
    ["a JSON number", "5", "application/json"],
    ["a JSON array", "[]", "application/json"],
    ["a JSON string", '"update"', "application/json"],
    ["an object without update_id", '{"message":{"text":"hi"}}', "application/json"],
    ["null as text/plain", "null", "text/plain"],
  ])("should answer %s with the right secret with 400 INVALID_BODY", async (_name, body, type) => {
    const res = await post(fuzz.context.telegramPath, body, { ...(type ? { "content-type": type } : {}), "x-telegram-bot-api-secret-token": fuzz.context.telegramSecret });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_BODY");
  });

  it("should still answer a real update with 200", async () => {
    const update = { update_id: 91, message: { message_id: 1, date: 0, chat: { id: 777001, type: "private" }, from: { id: 777001, is_bot: false, first_name: "Bà Tư" }, text: "vneid muc 2 dang ky o dau" } };
    const res = await post(fuzz.context.telegramPath, JSON.stringify(update), { "content-type": "application/json", "x-telegram-bot-api-secret-token": fuzz.context.telegramSecret });
    expect(res.status).toBe(200);
  });

  it("should refuse a non-object body without the secret with a 4xx", async () => {
    const res = await post(fuzz.context.telegramPath, "null", { "content-type": "application/json" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("console sign-in form (property-based)", () => {
  it("should answer garbage forms with a 4xx page, never a 5xx and never a sign-in", async () => {
    const consoleSessions = await openSignInForms(fuzz.baseUrl);
    await holds(signInCaseArb({ ...fuzz.context, consoleSessions }), 100);
  });
});
