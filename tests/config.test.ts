import { describe, expect, it } from "vitest";
import { createConfig } from "../src/config.js";
import { AppError } from "../src/core/errors.js";

describe("createConfig", () => {
  it("should apply documented defaults", () => {
    const c = createConfig({});
    expect(c).toMatchObject({
      server: { PORT: 3000 },
      storage: { DATA_DIR: "./data" },
      knowledge: { KNOWLEDGE_DIR: "./knowledge", COMMUNE: "cong-hoa", RELEVANCE_THRESHOLD: 0.5 },
      embeddings: { EMBEDDINGS_PROVIDER: "hashed" },
    });
  });

  it("should treat empty strings as unset", () => {
    expect(createConfig({ PORT: "", COMMUNE: "  " }).server.PORT).toBe(3000);
  });

  it("should name the bad key but never echo its value", () => {
    try {
      createConfig({ PORT: "not-a-port-secret123" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("CONFIG_INVALID");
      expect((err as Error).message).toContain("PORT");
      expect((err as Error).message).not.toContain("secret123");
    }
  });

  it("should require base URL and model for openai-compatible embeddings", () => {
    expect(() => createConfig({ EMBEDDINGS_PROVIDER: "openai-compatible" })).toThrow(/EMBEDDINGS_BASE_URL.*EMBEDDINGS_MODEL|EMBEDDINGS_MODEL.*EMBEDDINGS_BASE_URL/);
    const c = createConfig({ EMBEDDINGS_PROVIDER: "openai-compatible", EMBEDDINGS_BASE_URL: "http://127.0.0.1:1234/v1", EMBEDDINGS_MODEL: "m" });
    expect(c.embeddings.EMBEDDINGS_MODEL).toBe("m");
  });

  it("should turn Zalo on only with both the app id and the OA secret, naming a missing one", () => {
    expect(createConfig({}).zalo.ZALO_APP_ID).toBeUndefined();
    const on = createConfig({ ZALO_APP_ID: "1234567890", ZALO_OA_SECRET_KEY: "oa-secret" });
    expect(on.zalo.ZALO_API_BASE_URL).toBe("https://openapi.zalo.me");
    expect(on.zalo.ZALO_OAUTH_BASE_URL).toBe("https://oauth.zaloapp.com");
    expect(on.zalo.ZALO_FREE_WINDOW_HOURS).toBe(48);
    expect(() => createConfig({ ZALO_APP_ID: "1234567890" })).toThrow(/ZALO_OA_SECRET_KEY/);
    expect(() => createConfig({ ZALO_OA_SECRET_KEY: "oa-secret" })).toThrow(/ZALO_APP_ID/);
    expect(() => createConfig({ ZALO_APP_ID: "my-app", ZALO_OA_SECRET_KEY: "oa-secret" })).toThrow(/ZALO_APP_ID/);
    expect(() => createConfig({ ZALO_APP_ID: "my-app-sEcReT", ZALO_OA_SECRET_KEY: "x" })).not.toThrow(/sEcReT/);
  });

  it("should reject a threshold outside 0..1 and a malformed commune id", () => {
    expect(() => createConfig({ RELEVANCE_THRESHOLD: "1.5" })).toThrow(/RELEVANCE_THRESHOLD/);
    expect(() => createConfig({ COMMUNE: "Cộng Hòa" })).toThrow(/COMMUNE/);
  });

  it("should refuse a Telegram webhook secret shorter than 16 characters, naming the key but not the value", () => {
    const webhook = { TELEGRAM_BOT_TOKEN: "123456:TEST-token-not-real-aaaaaaaaaaaa", TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram" };
    for (const secret of ["abc", "short_secret_15"]) {
      try {
        createConfig({ ...webhook, TELEGRAM_WEBHOOK_SECRET: secret });
        expect.unreachable();
      } catch (err) {
        expect((err as AppError).code).toBe("CONFIG_INVALID");
        expect((err as Error).message).toMatch(/TELEGRAM_WEBHOOK_SECRET: at least 16 characters/);
        expect((err as Error).message).not.toContain(secret);
      }
    }
    expect(createConfig({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "sixteen_chars-16" }).telegram.TELEGRAM_WEBHOOK_SECRET).toBe("sixteen_chars-16");
    expect(() => createConfig({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "a".repeat(257) })).toThrow(/TELEGRAM_WEBHOOK_SECRET: at most 256/);
    expect(() => createConfig({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "có dấu và khoảng trắng" })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  it("should join quick Telegram messages by default, and refuse a maximum wait shorter than the quiet time", () => {
    expect(createConfig({}).telegram).toMatchObject({ TELEGRAM_JOIN_QUIET_MS: 1500, TELEGRAM_JOIN_MAX_WAIT_MS: 6000 });
    expect(createConfig({ TELEGRAM_JOIN_QUIET_MS: "0" }).telegram.TELEGRAM_JOIN_QUIET_MS).toBe(0);
    expect(() => createConfig({ TELEGRAM_JOIN_QUIET_MS: "3000", TELEGRAM_JOIN_MAX_WAIT_MS: "2000" })).toThrow(/TELEGRAM_JOIN_MAX_WAIT_MS/);
  });
});
