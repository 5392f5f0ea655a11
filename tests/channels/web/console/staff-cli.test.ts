/**
 * `npm run staff`: the CLI spawned as a child process, the password fed on stdin (not a TTY).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../../../src/core/auth/password.js";
import { openSqliteStore } from "../../../../src/storage/sqlite-store.js";
import { runTs } from "../../../helpers/spawn.js";

let dataDir: string;
const staff = (args: string[], stdin?: string) => runTs("src/cli/staff.ts", args, { DATA_DIR: dataDir, LOG_LEVEL: "silent" }, stdin);
const credentials = (username: string) => {
  const store = openSqliteStore({ dataDir });
  try {
    return store.getStaffCredentials(username);
  } finally {
    store.close();
  }
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-staff-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm run staff", () => {
  it("should add an account with the password typed twice, keeping only a scrypt hash", async () => {
    const res = await staff(["add", "Thu.VHXH"], "mat-khau-cua-thu\nmat-khau-cua-thu\n");
    expect(res.stderr).not.toContain("Lỗi");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Đã tạo tài khoản "thu.vhxh"');
    const creds = credentials("thu.vhxh");
    expect(creds?.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(creds?.passwordHash).not.toContain("mat-khau-cua-thu");
    expect(await verifyPassword("mat-khau-cua-thu", creds?.passwordHash)).toBe(true);
  });

  it("should refuse mismatched, short and duplicate passwords or names", async () => {
    const mismatch = await staff(["add", "lan"], "mat-khau-mot-1\nmat-khau-hai-2\n");
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain("không khớp");
    const short = await staff(["add", "lan"], "ngan\nngan\n");
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("ít nhất 8 ký tự");
    const badName = await staff(["add", "Lê Lan"], "mat-khau-cua-lan\nmat-khau-cua-lan\n");
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("Tên đăng nhập gồm");
    const duplicate = await staff(["add", "thu.vhxh"], "mat-khau-khac-1\nmat-khau-khac-1\n");
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain("đã có");
    expect(credentials("lan")).toBeUndefined();
  });

  it("should list, disable, enable and change passwords", async () => {
    const list = await staff(["list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/thu\.vhxh\s+đang dùng/);

    expect((await staff(["disable", "thu.vhxh"])).stdout).toContain("Đã khóa");
    expect(credentials("thu.vhxh")?.account.disabled).toBe(true);
    expect((await staff(["list"])).stdout).toMatch(/thu\.vhxh\s+đã khóa/);
    expect((await staff(["enable", "thu.vhxh"])).stdout).toContain("Đã mở khóa");
    expect(credentials("thu.vhxh")?.account.disabled).toBe(false);

    const passwd = await staff(["passwd", "thu.vhxh"], "mat-khau-moi-123\nmat-khau-moi-123\n");
    expect(passwd.code).toBe(0);
    expect(await verifyPassword("mat-khau-moi-123", credentials("thu.vhxh")?.passwordHash)).toBe(true);

    const unknown = await staff(["disable", "khong-co"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Không có tài khoản");
    const usage = await staff(["xoa", "thu.vhxh"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Cách dùng");
  });
});
