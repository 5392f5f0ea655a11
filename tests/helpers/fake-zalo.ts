/**
 * A loopback HTTP server playing both Zalo endpoints the channel calls, recording every request:
 * - POST /v3.0/oa/message/cs: accepts a known access token (HTTP 200, error 0), answers error
 *   -216 in a 200 body for an unknown one, or plays scripted responses queued in `script`.
 * - POST /v4/oa/access_token: exchanges a known refresh token (single use, like Zalo) for a new
 *   pair, when the secret_key header and app_id match.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signatureHeader } from "../../src/channels/zalo/signature.js";

export interface SendRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: { recipient?: { user_id?: string }; message?: { text?: string } };
}
export interface OAuthRequest {
  readonly headers: IncomingHttpHeaders;
  readonly form: URLSearchParams;
}
export interface Scripted {
  readonly status: number;
  readonly body: unknown;
}

export interface FakeZalo {
  readonly url: string;
  /** Every send request, in arrival order. */
  readonly sendRequests: SendRequest[];
  /** Messages accepted (token valid, no scripted failure): user id and text. */
  readonly delivered: Array<{ userId: string; text: string }>;
  readonly oauthRequests: OAuthRequest[];
  readonly validAccess: Set<string>;
  readonly validRefresh: Set<string>;
  /** Responses for the next send requests, used before the normal behaviour. */
  readonly script: Scripted[];
  /** Delay before the OAuth endpoint answers (ms), to widen races. */
  refreshDelayMs: number;
  /** Delay before the send endpoint answers (ms). */
  sendDelayMs: number;
  /** Texts delivered to one user. */
  textsTo(userId: string): string[];
  close(): Promise<void>;
}

export const APP_ID = "1234567890123";
export const APP_SECRET = "app-secret-for-tests";
export const OA_SECRET = "oa-secret-key-for-tests";

export async function startFakeZalo(initial: { access?: string[]; refresh?: string[] } = {}): Promise<FakeZalo> {
  const sendRequests: SendRequest[] = [];
  const delivered: Array<{ userId: string; text: string }> = [];
  const oauthRequests: OAuthRequest[] = [];
  const validAccess = new Set(initial.access ?? []);
  const validRefresh = new Set(initial.refresh ?? []);
  const script: Scripted[] = [];
  let issued = 0;
  let messageId = 0;

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "POST" && req.url === "/v3.0/oa/message/cs") {
        const answer = () => {
          const body = JSON.parse(raw) as SendRequest["body"];
          sendRequests.push({ headers: req.headers, body });
          const scripted = script.shift();
          if (scripted) return json(scripted.status, scripted.body);
          const token = String(req.headers.access_token ?? "");
          if (!validAccess.has(token)) return json(200, { error: -216, message: "Access token is invalid" });
          const userId = body.recipient?.user_id ?? "";
          delivered.push({ userId, text: body.message?.text ?? "" });
          return json(200, { error: 0, message: "Success", data: { message_id: `m${++messageId}`, user_id: userId } });
        };
        if (fake.sendDelayMs > 0) setTimeout(answer, fake.sendDelayMs);
        else answer();
        return;
      }
      if (req.method === "POST" && req.url === "/v4/oa/access_token") {
        const form = new URLSearchParams(raw);
        oauthRequests.push({ headers: req.headers, form });
        const answer = () => {
          const refresh = form.get("refresh_token") ?? "";
          if (req.headers.secret_key !== APP_SECRET || form.get("app_id") !== APP_ID || form.get("grant_type") !== "refresh_token") {
            return json(200, { error: -14002, error_name: "Invalid app", error_description: "app_id or secret_key is invalid" });
          }
          if (!validRefresh.delete(refresh)) return json(200, { error: -14014, error_name: "Invalid refresh token", error_description: "refresh token is invalid" });
          issued++;
          const pair = { access_token: `access-${issued}`, refresh_token: `refresh-${issued}` };
          validAccess.add(pair.access_token);
          validRefresh.add(pair.refresh_token);
          return json(200, { ...pair, expires_in: "3600" });
        };
        setTimeout(answer, fake.refreshDelayMs);
        return;
      }
      json(404, { error: 404, message: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeZalo = {
    url: `http://127.0.0.1:${port}`,
    sendRequests,
    delivered,
    oauthRequests,
    validAccess,
    validRefresh,
    script,
    refreshDelayMs: 0,
    sendDelayMs: 0,
    textsTo: (userId) => delivered.filter((d) => d.userId === userId).map((d) => d.text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}

/** The body of a resident's text event as Zalo posts it (a resend is the same bytes). */
export function zaloTextEvent(userId: string, text: string, msgId: string, timestamp = String(Date.now())): string {
  return JSON.stringify({
    app_id: APP_ID,
    user_id_by_app: `app-${userId}`,
    event_name: "user_send_text",
    timestamp,
    sender: { id: userId },
    recipient: { id: "579745863508352884" },
    message: { text, msg_id: msgId },
  });
}

/** Posts a raw event body to a service at `base`, signed the way Zalo signs it. */
export function postSignedZalo(base: string, raw: string): Promise<Response> {
  const timestamp = String((JSON.parse(raw) as { timestamp?: string }).timestamp ?? "");
  return fetch(`${base}/webhooks/zalo`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-zevent-signature": signatureHeader(APP_ID, raw, timestamp, OA_SECRET) },
    body: raw,
  });
}
