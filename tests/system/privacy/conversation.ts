/**
 * Drives residents' conversations into a running service over loopback HTTP: Telegram updates
 * posted to the webhook (answered through a fake Bot API), Zalo events signed like Zalo signs
 * them (answered through tests/helpers/fake-zalo.ts), and web-chat questions.
 */
import { signatureHeader } from "../../../src/channels/zalo/signature.js";
import { APP_ID, OA_SECRET } from "../../helpers/fake-zalo.js";
import type { FakeBotApi } from "./helpers.js";

export const TELEGRAM_SECRET = "privacy_webhook-secret";
export const TELEGRAM_WEBHOOK_URL = "https://xa.example.vn/webhooks/telegram";

export interface Driver {
  /** Posts one Telegram text message (a command when it starts with "/"); returns the HTTP status. */
  telegramText(userId: number, text: string): Promise<number>;
  /** Posts one Telegram button press. */
  telegramButton(userId: number, data: string): Promise<number>;
  /** The callback data of the buttons under the last message sent to a chat. */
  lastButtons(chatId: number): string[];
  /** Posts one signed Zalo event (text, or a follow when `text` is null). */
  zalo(userId: string, text: string | null): Promise<number>;
  /** Asks on the web chat (POST /api/ask). */
  web(question: string): Promise<number>;
}

export function createDriver(base: string, api: FakeBotApi): Driver {
  let updateId = 0;
  let messageId = 0;
  let zaloMessage = 0;
  const from = (id: number) => ({ id, is_bot: false, first_name: "Bà Tư" });
  const chat = (id: number) => ({ id, type: "private", first_name: "Bà Tư" });
  const postTelegram = async (update: unknown) => {
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TELEGRAM_SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  };
  return {
    telegramText(userId, text) {
      const command = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 0 }] : [];
      return postTelegram({
        update_id: ++updateId,
        message: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: chat(userId), from: from(userId), text, ...(command.length ? { entities: command } : {}) },
      });
    },
    telegramButton(userId, data) {
      return postTelegram({
        update_id: ++updateId,
        callback_query: { id: `cb${updateId}`, from: from(userId), chat_instance: "ci", data, message: { message_id: ++messageId, date: 0, chat: chat(userId), text: "…" } },
      });
    },
    lastButtons(chatId) {
      const last = api.calls.filter((c) => c.method === "sendMessage" && Number(c.body.chat_id) === chatId).at(-1);
      const markup = last?.body.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined;
      return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
    },
    async zalo(userId, text) {
      const timestamp = String(Date.now());
      const event =
        text === null
          ? { app_id: APP_ID, oa_id: "579745863508352884", event_name: "follow", timestamp, follower: { id: userId } }
          : { app_id: APP_ID, event_name: "user_send_text", timestamp, sender: { id: userId }, recipient: { id: "579745863508352884" }, message: { text, msg_id: `privacy-${++zaloMessage}` } };
      const raw = JSON.stringify(event);
      const res = await fetch(`${base}/webhooks/zalo`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-zevent-signature": signatureHeader(APP_ID, raw, timestamp, OA_SECRET) },
        body: raw,
      });
      await res.arrayBuffer();
      return res.status;
    },
    async web(question) {
      const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question }) });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
