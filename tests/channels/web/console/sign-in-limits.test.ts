/**
 * Sign-in limits that a stranger cannot turn against staff, over real HTTP behind a trusted
 * proxy on 127.0.0.1 (so `x-forwarded-for` stands for the resident address): wrong passwords
 * from one address do not keep the account's owner out elsewhere, one address guessing is
 * stopped, successful sign-ins never count, and a success forgives that address's failures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../../../src/core/auth/password.js";
import { ADMIN_PASSWORD, createClient, signIn, startConsoleService, type ConsoleTestService } from "./helpers.js";

let t: ConsoleTestService;

beforeAll(async () => {
  t = await startConsoleService({ TRUST_PROXY: "127.0.0.1", CONSOLE_LOGIN_MAX_PER_USER: "5", CONSOLE_LOGIN_MAX_PER_IP: "8" });
  t.service.store.createStaff("lan", await hashPassword("mat-khau-cua-lan"));
  t.service.store.createStaff("hoa", await hashPassword("mat-khau-cua-hoa"));
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** One sign-in from `ip`, in a fresh browser. */
const from = (ip: string, username: string, password: string) => signIn(createClient(t.base, { "x-forwarded-for": ip }), username, password);

describe("sign-in limits", () => {
  it("should not let wrong passwords from one address keep the admin out from another", async () => {
    const attacker = "203.0.113.10";
    for (let i = 0; i < 5; i++) expect((await from(attacker, "admin", `doan-mo-${i}`)).status).toBe(401);
    const held = await from(attacker, "admin", ADMIN_PASSWORD);
    expect(held.status).toBe(429);
    const wait = Number(held.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await held.text()).toContain("thử quá nhiều lần");
    // Spelling the name differently does not get the guesser around it.
    expect((await from(attacker, "ADMIN", "doan-mo-x")).status).toBe(429);

    // The real admin, at the commune office: a typo is an ordinary refusal, the password works.
    expect((await from("198.51.100.20", "admin", "go-nham-mot-chu")).status).toBe(401);
    expect((await from("198.51.100.21", "admin", ADMIN_PASSWORD)).status).toBe(303);
    expect((await from("198.51.100.21", "Admin", ADMIN_PASSWORD)).status).toBe(303);
    // The guesser is still held back.
    expect((await from(attacker, "admin", ADMIN_PASSWORD)).status).toBe(429);
  });

  it("should never count successful sign-ins, and stop one address trying many accounts", async () => {
    const office = "192.0.2.30";
    for (let i = 0; i < 12; i++) expect((await from(office, "lan", "mat-khau-cua-lan")).status, `sign-in ${i + 1}`).toBe(303);
    const guesser = "192.0.2.31";
    for (let i = 0; i < 8; i++) expect((await from(guesser, `nguoi-${i}`, "sai-mat-khau")).status).toBe(401);
    const blocked = await from(guesser, "lan", "mat-khau-cua-lan");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
    expect(await blocked.text()).toMatch(/đợi khoảng 15 phút/);
    // Only that address.
    expect((await from(office, "lan", "mat-khau-cua-lan")).status).toBe(303);
  });

  it("should forgive an address's failures on an account once it signs in", async () => {
    const home = "192.0.2.40";
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await from(home, "hoa", `quen-mat-khau-${i}`)).status, `round ${round}, try ${i}`).toBe(401);
      expect((await from(home, "hoa", "mat-khau-cua-hoa")).status, `round ${round}`).toBe(303);
    }
  });
});
