/**
 * npm run staff -- <command>: console accounts for commune staff, stored in the SQLite database
 * of DATA_DIR (passwords only as scrypt hashes). A running service sees changes at once.
 *
 *   add <username>      create an account (asks for the password twice, hidden)
 *   passwd <username>   set a new password (ends the account's open sessions)
 *   disable <username>  lock the account (it loses access at its next request)
 *   enable <username>   unlock it
 *   list                show every account
 *
 * Without a terminal (scripts, tests) the password and its confirmation are read as the first
 * two lines of standard input.
 */
import { createInterface } from "node:readline";
import { loadConfig } from "../config.js";
import { hashPassword, passwordProblem, usernameProblem } from "../core/auth/password.js";
import { AppError } from "../core/errors.js";
import type { Store } from "../core/store.js";
import { buildStorage } from "../app/storage.js";

const USAGE = `Cách dùng: npm run staff -- <lệnh>
  add <tên>       tạo tài khoản cán bộ (hỏi mật khẩu hai lần, không hiện trên màn hình)
  passwd <tên>    đặt mật khẩu mới
  disable <tên>   khóa tài khoản (mất quyền truy cập ngay ở lần bấm kế tiếp)
  enable <tên>    mở khóa tài khoản
  list            liệt kê tài khoản
`;

class UsageError extends Error {}

/** Reads one line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new UsageError("Đã hủy."));
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** The first two lines of a non-terminal stdin. */
async function readPipedLines(count: number): Promise<string[]> {
  const lines: string[] = [];
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of rl) {
    lines.push(line);
    if (lines.length === count) break;
  }
  rl.close();
  return lines;
}

async function askNewPassword(): Promise<string> {
  let first: string;
  let second: string;
  if (process.stdin.isTTY) {
    first = await readHidden("Mật khẩu: ");
    second = await readHidden("Nhập lại mật khẩu: ");
  } else {
    [first = "", second = ""] = await readPipedLines(2);
  }
  const problem = passwordProblem(first);
  if (problem) throw new UsageError(problem);
  if (first !== second) throw new UsageError("Hai lần nhập mật khẩu không khớp.");
  return first;
}

function requireUsername(value: string | undefined): string {
  const username = (value ?? "").trim().toLowerCase();
  if (!username) throw new UsageError(`Thiếu tên đăng nhập.\n\n${USAGE}`);
  const problem = usernameProblem(username);
  if (problem) throw new UsageError(problem);
  return username;
}

function formatTime(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "chưa";
}

async function run(store: Store, command: string | undefined, arg: string | undefined): Promise<string> {
  switch (command) {
    case "add": {
      const username = requireUsername(arg);
      if (store.getStaffCredentials(username)) throw new UsageError(`Tài khoản "${username}" đã có.`);
      const hash = await hashPassword(await askNewPassword());
      store.createStaff(username, hash);
      return `Đã tạo tài khoản "${username}". Đăng nhập tại /console.`;
    }
    case "passwd": {
      const username = requireUsername(arg);
      if (!store.getStaffCredentials(username)) throw new UsageError(`Không có tài khoản "${username}".`);
      store.setStaffPassword(username, await hashPassword(await askNewPassword()));
      return `Đã đổi mật khẩu của "${username}"; các phiên đang đăng nhập của tài khoản này phải đăng nhập lại.`;
    }
    case "disable":
    case "enable": {
      const username = requireUsername(arg);
      if (!store.setStaffDisabled(username, command === "disable")) throw new UsageError(`Không có tài khoản "${username}".`);
      return command === "disable" ? `Đã khóa tài khoản "${username}".` : `Đã mở khóa tài khoản "${username}".`;
    }
    case "list": {
      const accounts = store.listStaff();
      if (accounts.length === 0) return "Chưa có tài khoản nào. Tạo bằng: npm run staff -- add <tên>";
      const rows = accounts.map((a) => [a.username, a.disabled ? "đã khóa" : "đang dùng", formatTime(a.createdAt), formatTime(a.lastLoginAt)]);
      const header = ["Tên đăng nhập", "Trạng thái", "Tạo lúc", "Đăng nhập gần nhất"];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
      return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
    }
    default:
      throw new UsageError(command ? `Không có lệnh "${command}".\n\n${USAGE}` : USAGE);
  }
}

async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  if (command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig();
  const store = buildStorage(config.storage);
  try {
    process.stdout.write(`${await run(store, command, arg)}\n`);
  } finally {
    store.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof UsageError ? err.message : err instanceof AppError ? `${err.code}: ${err.userMessage}` : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`Lỗi: ${message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
