import { describe, expect, it } from "vitest";
import { createSignInGuard } from "../../../src/core/auth/sign-in-guard.js";

const MINUTE = 60_000;

function setup(options: { maxPerIp?: number; maxPerAccount?: number } = {}) {
  let now = Date.parse("2026-12-01T01:00:00Z");
  const guard = createSignInGuard({ maxPerIp: options.maxPerIp ?? 100, maxPerAccount: options.maxPerAccount ?? 3, clock: () => now });
  /** An attempt that turns out wrong (the guard counts it when it allows it). */
  const fail = (account: string, ip: string) => guard.attempt(account, ip);
  return { guard, fail, tick: (ms: number) => (now += ms) };
}

describe("sign-in guard", () => {
  it("should make an address that failed on an account wait longer after each failure, at most 15 minutes", () => {
    const { fail, tick } = setup();
    for (let i = 0; i < 3; i++) expect(fail("admin", "a").allowed).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const held = fail("admin", "a");
      expect(held).toMatchObject({ allowed: false, by: "account" });
      const wait = held.allowed ? 0 : held.retryAfterMs;
      waits.push(wait);
      tick(wait);
      expect(fail("admin", "a").allowed).toBe(true);
    }
    expect(waits).toEqual([1, 2, 4, 8, 15, 15].map((m) => m * MINUTE));
  });

  it("should let an address with no recent failure on the account through, and hold it after it fails", () => {
    const { guard, fail } = setup();
    for (let i = 0; i < 5; i++) fail("admin", "a");
    expect(guard.attempt("admin", "b").allowed).toBe(true);
    expect(guard.attempt("admin", "b").allowed).toBe(false);
    expect(guard.attempt("lan", "a").allowed).toBe(true);
  });

  it("should forget an address's failures on the account when it signs in, but not other addresses'", () => {
    const { guard, fail } = setup();
    for (let i = 0; i < 2; i++) fail("admin", "a");
    for (let i = 0; i < 2; i++) fail("admin", "b");
    expect(guard.attempt("admin", "b").allowed).toBe(false);
    expect(guard.attempt("admin", "a").allowed).toBe(false);
    guard.succeeded("admin", "a");
    // Only b's two failures remain: under the limit again.
    expect(guard.attempt("admin", "b").allowed).toBe(true);
    guard.succeeded("admin", "b");
    for (let i = 0; i < 2; i++) expect(fail("admin", "c").allowed).toBe(true);
  });

  it("should refuse an address after too many failures for 15 minutes after the last one", () => {
    const { guard, fail, tick } = setup({ maxPerIp: 4 });
    for (let i = 0; i < 4; i++) expect(fail(`user-${i}`, "a").allowed).toBe(true);
    expect(guard.attempt("admin", "a")).toEqual({ allowed: false, by: "ip", retryAfterMs: 15 * MINUTE });
    tick(10 * MINUTE);
    expect(guard.attempt("admin", "a")).toEqual({ allowed: false, by: "ip", retryAfterMs: 5 * MINUTE });
    expect(guard.attempt("admin", "b").allowed).toBe(true);
    tick(5 * MINUTE);
    expect(guard.attempt("admin", "a").allowed).toBe(true);
  });

  it("should not count successful sign-ins", () => {
    const { guard } = setup({ maxPerIp: 2, maxPerAccount: 2 });
    for (let i = 0; i < 10; i++) {
      expect(guard.attempt("admin", "a").allowed).toBe(true);
      guard.succeeded("admin", "a");
    }
  });
});
