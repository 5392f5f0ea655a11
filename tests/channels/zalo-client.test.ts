import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createZaloClient, TOKEN_CREDENTIAL, ZaloApiError, ZaloTransportError, type TokenRecord, type ZaloClientOptions } from "../../src/channels/zalo/client.js";
import type { Store } from "../../src/core/store.js";
import { createLogger } from "../../src/logger.js";
import { openSqliteStore } from "../../src/storage/sqlite-store.js";
import { APP_ID, APP_SECRET, startFakeZalo, type FakeZalo } from "../helpers/fake-zalo.js";

let dataDir: string;
let store: Store;
let zalo: FakeZalo;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-zalo-"));
  store = openSqliteStore({ dataDir, secret: "secret-for-tests-0123456789" });
});
afterEach(async () => {
  store.close();
  await zalo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function client(extra: Partial<ZaloClientOptions> = {}) {
  return createZaloClient({
    appId: APP_ID,
    appSecretKey: APP_SECRET,
    apiBaseUrl: zalo.url,
    oauthBaseUrl: zalo.url,
    store,
    logger: createLogger("silent"),
    seed: { accessToken: "seed-access", refreshToken: "seed-refresh" },
    retryBaseMs: 5,
    ...extra,
  });
}

describe("sending", () => {
  it("should post the text to /v3.0/oa/message/cs with the access token header", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    const result = await client().sendText("8001", "Chào bà con");
    expect(result.messageId).toBe("m1");
    expect(zalo.sendRequests).toHaveLength(1);
    expect(zalo.sendRequests[0]?.headers.access_token).toBe("seed-access");
    expect(zalo.sendRequests[0]?.body).toEqual({ recipient: { user_id: "8001" }, message: { text: "Chào bà con" } });
  });

  it("should reject an API error returned in an HTTP 200 body, without retrying it", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    zalo.script.push({ status: 200, body: { error: -230, message: "User has not interacted with the OA in the last 7 days" } });
    const err = await client().sendText("8001", "xin chào").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as ZaloApiError).code).toBe(-230);
    expect((err as ZaloApiError).unreachable).toBe(true);
    expect(zalo.sendRequests).toHaveLength(1);
    expect(zalo.delivered).toHaveLength(0);
  });

  it("should retry a 503 and then succeed", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    zalo.script.push({ status: 503, body: { message: "Service Unavailable" } });
    await client().sendText("8001", "thử lại");
    expect(zalo.sendRequests).toHaveLength(2);
    expect(zalo.delivered).toEqual([{ userId: "8001", text: "thử lại" }]);
  });

  it("should give up after the capped retries and report the HTTP status, never the token", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    for (let i = 0; i < 4; i++) zalo.script.push({ status: 502, body: {} });
    const err = await client({ retries: 3 }).sendText("8001", "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloTransportError);
    expect((err as ZaloTransportError).status).toBe(502);
    expect(zalo.sendRequests).toHaveLength(4);
    expect(JSON.stringify(err) + String(err)).not.toContain("seed-access");
  });

  it("should mark a message as going out once, as it goes on the wire, and not at all when Zalo cannot be reached", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    zalo.script.push({ status: 503, body: {} });
    const seenAtMark: number[] = [];
    await client().sendText("8001", "một lần", { beforeSend: () => seenAtMark.push(zalo.sendRequests.length) });
    // Once over the 503 and its retry, before Zalo had anything.
    expect(seenAtMark).toEqual([0]);
    expect(zalo.delivered).toEqual([{ userId: "8001", text: "một lần" }]);

    // Nothing listens on this port: the connection is refused, nothing went out, nothing marked.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let marks = 0;
    const err = await client({ apiBaseUrl: `http://127.0.0.1:${port}`, retries: 1 })
      .sendText("8001", "x", { beforeSend: () => marks++ })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloTransportError);
    expect(marks).toBe(0);
  });

  it("should not send, nor retry, when marking the message fails, and report that failure", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    const failure = new Error("disk full");
    const err = await client()
      .sendText("8001", "không gửi", {
        beforeSend: () => {
          throw failure;
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBe(failure);
    await new Promise((r) => setTimeout(r, 50));
    expect(zalo.sendRequests).toHaveLength(0);
  });

  it("should refuse a text longer than Zalo's limit", async () => {
    zalo = await startFakeZalo({ access: ["seed-access"] });
    await expect(client().sendText("8001", "a".repeat(2001))).rejects.toThrow(RangeError);
    expect(zalo.sendRequests).toHaveLength(0);
  });
});

describe("tokens", () => {
  it("should refresh exactly once when 20 concurrent sends meet a rejected token, and store the new pair", async () => {
    // The seeded access token is no longer valid at Zalo (-216); the refresh token is.
    zalo = await startFakeZalo({ refresh: ["seed-refresh"] });
    zalo.refreshDelayMs = 50;
    const c = client();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.sendText(`90${i}`, `tin ${i}`)));
    expect(results).toHaveLength(20);
    expect(zalo.oauthRequests).toHaveLength(1);
    const form = zalo.oauthRequests[0]?.form;
    expect(form?.get("grant_type")).toBe("refresh_token");
    expect(form?.get("refresh_token")).toBe("seed-refresh");
    expect(form?.get("app_id")).toBe(APP_ID);
    expect(zalo.oauthRequests[0]?.headers.secret_key).toBe(APP_SECRET);
    expect(zalo.delivered).toHaveLength(20);
    const stored = store.getCredential<TokenRecord>(TOKEN_CREDENTIAL);
    expect(stored?.accessToken).toBe("access-1");
    expect(stored?.refreshToken).toBe("refresh-1");
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it("should refresh once, before sending, when the stored token is known to have expired", async () => {
    zalo = await startFakeZalo({ access: ["old-access"], refresh: ["old-refresh"] });
    zalo.refreshDelayMs = 30;
    store.setCredential<TokenRecord>(TOKEN_CREDENTIAL, { accessToken: "old-access", refreshToken: "old-refresh", expiresAt: Date.now() - 1000, seed: null, refreshedAt: null });
    const c = client({ seed: {} });
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.sendText(`91${i}`, "x")));
    expect(zalo.oauthRequests).toHaveLength(1);
    // No request went out with the expired token.
    expect(zalo.sendRequests.every((r) => r.headers.access_token === "access-1")).toBe(true);
    expect(store.getCredential<TokenRecord>(TOKEN_CREDENTIAL)?.refreshToken).toBe("refresh-1");
  });

  it("should keep using the stored pair after a restart instead of the spent .env pair", async () => {
    zalo = await startFakeZalo({ refresh: ["seed-refresh"] });
    await client().sendText("8001", "một");
    expect(zalo.oauthRequests).toHaveLength(1);
    // A restart with the same .env: the stored (refreshed) pair wins, no second refresh.
    await client().sendText("8001", "hai");
    expect(zalo.oauthRequests).toHaveLength(1);
    expect(zalo.sendRequests.at(-1)?.headers.access_token).toBe("access-1");
  });

  it("should take a new pair pasted into .env over the stored one", async () => {
    zalo = await startFakeZalo({ access: ["fresh-access"] });
    store.setCredential<TokenRecord>(TOKEN_CREDENTIAL, { accessToken: "dead", refreshToken: "dead", expiresAt: null, seed: "0000", refreshedAt: 1 });
    await client({ seed: { accessToken: "fresh-access", refreshToken: "fresh-refresh" } }).sendText("8001", "x");
    expect(zalo.sendRequests[0]?.headers.access_token).toBe("fresh-access");
    expect(store.getCredential<TokenRecord>(TOKEN_CREDENTIAL)?.refreshToken).toBe("fresh-refresh");
  });

  it("should report a refused refresh as an API error and not hammer the OAuth endpoint", async () => {
    zalo = await startFakeZalo();
    const c = client();
    const err = await c.sendText("8001", "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as ZaloApiError).code).toBe(-14014);
    await c.sendText("8001", "y").catch(() => undefined);
    expect(zalo.oauthRequests).toHaveLength(1);
    // The stored pair is untouched: nothing was learned.
    expect(store.getCredential<TokenRecord>(TOKEN_CREDENTIAL)?.refreshToken).toBe("seed-refresh");
  });

  it("should say plainly that tokens cannot be refreshed without the app secret", async () => {
    zalo = await startFakeZalo();
    const c = createZaloClient({ appId: APP_ID, apiBaseUrl: zalo.url, oauthBaseUrl: zalo.url, store, logger: createLogger("silent"), seed: { accessToken: "seed-access" } });
    await expect(c.sendText("8001", "x")).rejects.toThrow(/ZALO_APP_SECRET_KEY/);
    expect(c.tokenStatus()).toEqual({ hasAccessToken: true, canRefresh: false, expiresAt: null });
  });
});
