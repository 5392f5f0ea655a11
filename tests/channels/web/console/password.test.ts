import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, usernameProblem, verifyPassword } from "../../../../src/core/auth/password.js";

describe("staff password hashing", () => {
  it("should hash with scrypt and a fresh salt, and verify only the same password", async () => {
    const a = await hashPassword("mật khẩu dài 123");
    const b = await hashPassword("mật khẩu dài 123");
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("mật khẩu dài 123", a)).toBe(true);
    expect(await verifyPassword("mật khẩu dài 124", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("should treat NFC and NFD spellings of a Vietnamese password as the same", async () => {
    const hash = await hashPassword("Cộng Hòa 2025".normalize("NFC"));
    expect(await verifyPassword("Cộng Hòa 2025".normalize("NFD"), hash)).toBe(true);
  });

  it("should refuse unknown users and malformed hashes without throwing", async () => {
    expect(await verifyPassword("bat-ky-mat-khau", undefined)).toBe(false);
    expect(await verifyPassword("bat-ky-mat-khau", "plain-text")).toBe(false);
    expect(await verifyPassword("bat-ky-mat-khau", "scrypt$99$8$1$abc$def")).toBe(false);
  });

  it("should explain weak passwords and bad usernames in Vietnamese", () => {
    expect(passwordProblem("ngan")).toContain("ít nhất 8 ký tự");
    expect(passwordProblem(" co-khoang-trang")).toContain("khoảng trắng");
    expect(passwordProblem("du-dai-roi")).toBeNull();
    expect(usernameProblem("thu.vhxh")).toBeNull();
    expect(usernameProblem("Lê Thu")).toContain("Tên đăng nhập");
    expect(usernameProblem("a")).not.toBeNull();
  });
});
