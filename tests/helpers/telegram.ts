import type { UserFromGetMe } from "grammy/types";

/** The bot's identity in tests (skips getMe, or is what a fake Bot API answers to getMe). */
export const BOT_INFO = {
  id: 4242,
  is_bot: true,
  first_name: "Trợ lý số xã",
  username: "tro_ly_so_xa_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

/** One Bot API call received by the fake server. */
export interface BotApiCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

/** What the fake answers instead of success: Telegram's error code and description. */
export type BotApiRefusal = { readonly code: number; readonly description: string } | null;

export interface FakeBotApi {
  /** Pass as `apiRoot` (createTelegramBot) or TELEGRAM_API_ROOT. */
  readonly apiRoot: string;
  readonly calls: BotApiCall[];
  /** sendMessage calls, optionally to one chat. */
  messages(chatId?: number): BotApiCall[];
  /** Resolves once no call arrived for `quietMs`, and at least `minMs` after it was called. */
  settle(quietMs: number, minMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server playing the Telegram Bot API for `token`: records every call and answers
 * like Telegram (sendMessage returns a message; other methods true). `refuse` can make a call
 * fail the way Telegram refuses it (e.g. 403 when the bot may not write to a user first).
 */
export async function startFakeBotApi(token: string, refuse: (call: BotApiCall) => BotApiRefusal = () => null): Promise<FakeBotApi> {
  const { createServer } = await import("node:http");
  const calls: BotApiCall[] = [];
  let lastCallAt = Date.now();
  let messageId = 0;
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const url = req.url ?? "";
      const method = url.split("/").pop() ?? "";
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (!url.startsWith(`/bot${token}/`)) return send(404, { ok: false, error_code: 404, description: "Not Found" });
      const call = { method, body };
      calls.push(call);
      lastCallAt = Date.now();
      const refusal = refuse(call);
      if (refusal) return send(refusal.code, { ok: false, error_code: refusal.code, description: refusal.description });
      if (method === "getMe") return send(200, { ok: true, result: BOT_INFO });
      if (method === "sendMessage") {
        return send(200, { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: body.text } });
      }
      return send(200, { ok: true, result: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    messages: (chatId) => calls.filter((c) => c.method === "sendMessage" && (chatId === undefined || Number(c.body.chat_id) === chatId)),
    async settle(quietMs, minMs = 0) {
      const started = Date.now();
      while (Date.now() - started < minMs || Date.now() - lastCallAt < quietMs) await new Promise((r) => setTimeout(r, 25));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
