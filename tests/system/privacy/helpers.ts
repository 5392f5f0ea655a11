/**
 * Helpers for the privacy tests: a loopback Bot API server, a pino logger writing into memory,
 * and a read-only scan of every table of the SQLite file.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { pino, type Logger } from "pino";
import { DATABASE_FILE } from "../../../src/storage/sqlite-store.js";
import { BOT_INFO } from "../../helpers/telegram.js";
import { leakedNumbers } from "./corpus.js";

export const BOT_TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";

export interface FakeBotApi {
  readonly url: string;
  readonly calls: Array<{ method: string; body: Record<string, unknown> }>;
  /** Chats whose sendMessage calls are refused with 403 (the resident blocked the bot). */
  readonly blocked: Set<number>;
  /** Texts sent to one chat. */
  textsTo(chatId: number): string[];
  close(): Promise<void>;
}

/** A loopback server playing the Telegram Bot API for one token: records calls, answers like Telegram. */
export async function startFakeBotApi(): Promise<FakeBotApi> {
  const calls: FakeBotApi["calls"] = [];
  const blocked = new Set<number>();
  let messageId = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (!(req.url ?? "").startsWith(`/bot${BOT_TOKEN}/`)) return send(404, { ok: false, error_code: 404, description: "Not Found" });
      const method = (req.url ?? "").split("/").pop() ?? "";
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      calls.push({ method, body });
      if (method === "getMe") return send(200, { ok: true, result: BOT_INFO });
      if (method === "sendMessage") {
        const chatId = Number(body.chat_id);
        if (blocked.has(chatId)) return send(403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
        return send(200, { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: chatId, type: "private" }, text: body.text } });
      }
      return send(200, { ok: true, result: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    blocked,
    textsTo: (chatId) => calls.filter((c) => c.method === "sendMessage" && Number(c.body.chat_id) === chatId).map((c) => String(c.body.text)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A pino logger at `level` whose lines are kept in memory (configured like src/logger.ts, minus the file descriptor). */
export function memoryLogger(level = "trace"): { logger: Logger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = pino({ name: "tro-ly-so", level }, stream);
  const text = () => chunks.join("");
  return { logger, text, lines: () => text().split("\n").filter(Boolean) };
}

export interface StoredValue {
  readonly table: string;
  readonly column: string;
  readonly value: string;
}

/** Every text value of every table (opened read-only), as stored. */
export function storedValues(dataDir: string): StoredValue[] {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    const out: StoredValue[] = [];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Array<Record<string, unknown>>) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || value === undefined) continue;
          out.push({ table, column, value: Buffer.isBuffer(value) ? value.toString("utf8") : String(value) });
        }
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** Stored values that contain a corpus number, in any formatting. */
export function leaksInDatabase(dataDir: string): Array<StoredValue & { readonly numbers: string[] }> {
  return storedValues(dataDir)
    .map((v) => ({ ...v, numbers: leakedNumbers(v.value) }))
    .filter((v) => v.numbers.length > 0);
}
