/**
 * Turning the console on (CONSOLE_PASSWORD bootstrap, or an account made later) and the sign-in
 * rate limits, each on its own service so the limits and accounts do not leak between tests.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createConfig } from "../../../../src/config.js";
import { hashPassword, verifyPassword } from "../../../../src/core/auth/password.js";
import { createLogger } from "../../../../src/logger.js";
import { startService } from "../../../../src/app/service.js";
import { KNOWLEDGE_DIR } from "../../../helpers/engine.js";
import { ADMIN_PASSWORD, createClient, signIn, startConsoleService, type ConsoleTestService } from "./helpers.js";

let t: ConsoleTestService | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

describe("console bootstrap", () => {
  it("should create the first account admin from CONSOLE_PASSWORD, stored only as a scrypt hash", async () => {
    t = await startConsoleService();
    const creds = t.service.store.getStaffCredentials("admin");
    expect(creds?.account.disabled).toBe(false);
    expect(creds?.passwordHash).toMatch(/^scrypt\$/);
    expect(creds?.passwordHash).not.toContain(ADMIN_PASSWORD);
    expect(await verifyPassword(ADMIN_PASSWORD, creds?.passwordHash)).toBe(true);
    expect(t.service.store.countStaff()).toBe(1);
  });

  it("should not touch existing accounts when CONSOLE_PASSWORD is set and accounts exist", async () => {
    t = await startConsoleService();
    t.service.store.setStaffPassword("admin", await hashPassword("mat-khau-da-doi"));
    const dataDir = t.dataDir;
    await t.service.stop();
    // Restart on the same data: CONSOLE_PASSWORD must not reset admin's changed password.
    const service = await startService(
      createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", CONSOLE_PASSWORD: ADMIN_PASSWORD }),
      createLogger("silent"),
    );
    try {
      const base = `http://127.0.0.1:${service.port}`;
      expect((await signIn(createClient(base), "admin", ADMIN_PASSWORD)).status).toBe(401);
      expect((await signIn(createClient(base), "admin", "mat-khau-da-doi")).status).toBe(303);
    } finally {
      await service.stop();
    }
    t = { ...t, stop: () => rm(path.dirname(dataDir), { recursive: true, force: true }) };
  });

  it("should explain how to turn the console on when there is no account, then work once one exists", async () => {
    t = await startConsoleService({ CONSOLE_PASSWORD: "" });
    expect(t.service.store.countStaff()).toBe(0);
    for (const route of ["/console", "/console/dang-nhap", "/console/thong-ke"]) {
      const res = await fetch(t.base + route, { redirect: "manual" });
      expect(res.status, route).toBe(503);
      const html = await res.text();
      expect(html).toContain("Bảng điều khiển chưa được bật");
      expect(html).toContain("npm run staff -- add");
      expect(html).toContain("CONSOLE_PASSWORD");
    }
    const api = await fetch(`${t.base}/console/api/stats`);
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("CONSOLE_DISABLED");

    // An account made while the service runs (npm run staff) turns it on without a restart.
    t.service.store.createStaff("thu", await hashPassword("mat-khau-cua-thu"));
    expect((await fetch(`${t.base}/console/dang-nhap`)).status).toBe(200);
    expect((await signIn(createClient(t.base), "thu", "mat-khau-cua-thu")).status).toBe(303);
  });

  it("should refuse a CONSOLE_PASSWORD shorter than 8 characters, naming the key only", async () => {
    expect(() => createConfig({ CONSOLE_PASSWORD: "ngan" })).toThrow(/CONSOLE_PASSWORD/);
    expect(() => createConfig({ CONSOLE_PASSWORD: "ngan" })).not.toThrow(/ngan/);
    expect(createConfig({ CONSOLE_SECURE_COOKIE: "false" }).console.CONSOLE_SECURE_COOKIE).toBe(false);
    expect(createConfig({}).console.CONSOLE_SECURE_COOKIE).toBeUndefined();
  });
});

describe("sign-in rate limits", () => {
  it("should hold back an address after too many wrong passwords for a username, with a Vietnamese message, even with the right password", async () => {
    t = await startConsoleService({ CONSOLE_LOGIN_MAX_PER_USER: "3" });
    for (let i = 0; i < 3; i++) expect((await signIn(createClient(t.base), "admin", `sai-mat-khau-${i}`)).status).toBe(401);
    const blocked = await signIn(createClient(t.base), "admin", ADMIN_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await blocked.text();
    expect(html).toContain("thử quá nhiều lần");
    expect(html).toMatch(/đợi khoảng \d+ phút/);
    // Spelling the name differently does not get around it; another account is not affected.
    expect((await signIn(createClient(t.base), "ADMIN", ADMIN_PASSWORD)).status).toBe(429);
    t.service.store.createStaff("lan", await hashPassword("mat-khau-cua-lan"));
    expect((await signIn(createClient(t.base), "lan", "mat-khau-cua-lan")).status).toBe(303);
  });

  it("should block an IP address trying many usernames", async () => {
    t = await startConsoleService({ CONSOLE_LOGIN_MAX_PER_IP: "4" });
    for (let i = 0; i < 4; i++) expect((await signIn(createClient(t.base), `nguoi-${i}`, "sai-mat-khau")).status).toBe(401);
    const blocked = await signIn(createClient(t.base), "admin", ADMIN_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("Để bảo vệ tài khoản");
  });
});
