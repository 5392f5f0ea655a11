import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/core/rate-limit.js";

describe("createRateLimiter", () => {
  it("should allow the limit per window, warn once, then drop until the window slides", () => {
    let now = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000, now: () => now });
    expect(["a", "a", "a", "a"].map((k) => limiter.admit(k))).toEqual(["ok", "ok", "warn", "drop"]);
    expect(limiter.admit("b")).toBe("ok");
    now = 10_000;
    expect(limiter.admit("a")).toBe("ok");
    expect(limiter.admit("a")).toBe("ok");
    // A new run over the limit is told again.
    expect(limiter.admit("a")).toBe("warn");
  });

  it("should forget idle keys once it holds too many", () => {
    let now = 0;
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000, now: () => now, maxKeys: 2 });
    limiter.admit("a");
    limiter.admit("b");
    now = 5_000;
    expect(limiter.admit("c")).toBe("ok");
    expect(limiter.admit("a")).toBe("ok");
  });
});
