/**
 * The Zalo OA Open API over axios: sending consultation (`cs`) text messages and keeping the OA's
 * access token fresh.
 *
 * - Transport failures (connection refused/reset, 5xx, 429) are retried with capped exponential
 *   backoff (axios-retry). API-level rejections (HTTP 200 with `error` ≠ 0) are not retried, except
 *   that an invalid or expired access token triggers one token refresh and one resend.
 * - The refresh token is single-use: refreshes are single-flight (concurrent callers share one
 *   request) and the new pair is written to the store in one statement before anyone uses it.
 * - Tokens and secrets never reach logs or error messages: errors carry the HTTP status or the
 *   Zalo error code and message only.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import axios, { AxiosError, type AxiosInstance } from "axios";
import axiosRetry, { isNetworkError } from "axios-retry";
import { z } from "zod/v4";
import type { Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";

/** Zalo's limit for one text message (characters). */
export const ZALO_TEXT_LIMIT = 2000;

/** Name of the token pair in the store's credentials table. */
export const TOKEN_CREDENTIAL = "zalo-oa-tokens";

/**
 * Error codes that mean the access token is invalid or expired [unconfirmed against the official
 * error table, which was not readable when this was written: -216 "access token invalid" and
 * -124 "access token expired" are what integrators report].
 */
export const TOKEN_ERROR_CODES: ReadonlySet<number> = new Set([-216, -124]);

/**
 * Codes meaning the resident cannot be reached now (not a follower, blocked, interaction window
 * over, night-time restriction…): retrying only burns quota [unconfirmed; per integrators].
 */
export const UNREACHABLE_CODES: ReadonlySet<number> = new Set([-213, -217, -227, -230, -232, -234, -244]);

/** Zalo answered, but refused (HTTP 200 with a non-zero `error`, or an OAuth error body). */
export class ZaloApiError extends Error {
  constructor(
    readonly code: number,
    readonly apiMessage: string,
  ) {
    super(`Zalo API error ${code}: ${apiMessage}`);
    this.name = "ZaloApiError";
  }
  get unreachable(): boolean {
    return UNREACHABLE_CODES.has(this.code);
  }
}

/**
 * Zalo could not be reached or answered with an HTTP error, after retries. `uncertain`: the
 * request timed out, so Zalo may have taken the message (resending could deliver it twice).
 */
export class ZaloTransportError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly uncertain = false,
  ) {
    super(message);
    this.name = "ZaloTransportError";
  }
}

/** No usable token: none configured, no app secret to refresh with, or Zalo refused the refresh. */
export class ZaloAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZaloAuthError";
  }
}

/** The stored token pair. `expiresAt` is null when unknown (tokens pasted from the console). */
export interface TokenRecord {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresAt: number | null;
  /** Fingerprint of the `.env` pair this record descends from (see seedTokens). */
  readonly seed: string | null;
  readonly refreshedAt: number | null;
}

export interface ZaloClientOptions {
  readonly appId: string;
  /** App secret key, needed only to refresh tokens. */
  readonly appSecretKey?: string;
  readonly apiBaseUrl: string;
  readonly oauthBaseUrl: string;
  readonly store: Store;
  readonly logger: Logger;
  /** Tokens from `.env`, stored on first start (and again whenever `.env` gets a new pair). */
  readonly seed?: { readonly accessToken?: string; readonly refreshToken?: string };
  readonly timeoutMs?: number;
  /** Transport retries (default 3) and the first backoff step (default 500 ms, doubling, capped at 8 s). */
  readonly retries?: number;
  readonly retryBaseMs?: number;
  readonly clock?: () => number;
}

export interface SendResult {
  readonly messageId: string | null;
}

export interface SendOptions {
  /**
   * Called once, synchronously, in the same turn of the event loop in which the request's bytes
   * are first handed to a connected socket: the caller records "this message may be delivered
   * from now on". Nothing is marked while the request waits for a token, a retry or a connection,
   * so a process killed in that time has sent nothing and the message is simply sent after the
   * restart. A throw cancels the send (the error is rethrown by `sendText`).
   */
  readonly beforeSend?: () => void;
}

export interface ZaloClient {
  /** Sends one text message (≤ ZALO_TEXT_LIMIT characters) to a user of the OA. */
  sendText(userId: string, text: string, options?: SendOptions): Promise<SendResult>;
  /** The current access token, refreshed first if it is known to expire within a minute. */
  accessToken(): Promise<string>;
  /** Refreshes now (single-flight); `stale` skips the refresh if another caller already replaced it. */
  refresh(stale?: string): Promise<string>;
  /** What the channel can do with the tokens it has (for logs and health). */
  tokenStatus(): { readonly hasAccessToken: boolean; readonly canRefresh: boolean; readonly expiresAt: number | null };
}

const SendResponse = z.object({
  error: z.coerce.number().default(0),
  message: z.string().optional(),
  data: z.object({ message_id: z.union([z.string(), z.number()]).transform(String).optional() }).loose().optional(),
});

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});
const OAuthErrorResponse = z
  .object({
    error: z.coerce.number().optional(),
    error_name: z.string().optional(),
    error_reason: z.string().optional(),
    error_description: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();

/** Refresh this long before the reported expiry, so no request goes out with a dying token. */
const EXPIRY_MARGIN_MS = 60_000;
/** After Zalo refuses a refresh, do not ask again for this long (the refresh token is likely dead). */
const REFRESH_COOLDOWN_MS = 60_000;

/** A short fingerprint of a token pair (to notice a new pair in `.env`); not reversible. */
export function tokenFingerprint(accessToken: string | undefined, refreshToken: string | undefined): string {
  return createHash("sha256")
    .update(`${accessToken ?? ""}\n${refreshToken ?? ""}`)
    .digest("hex")
    .slice(0, 16);
}

/** `beforeSend` threw: the request was destroyed before it went out (never retried). */
class SendCancelled extends Error {
  constructor(readonly reason: unknown) {
    super("send cancelled before it went out");
    this.name = "SendCancelled";
  }
}
const cancelledSend = (err: AxiosError): boolean => err.cause instanceof SendCancelled;

/**
 * An axios transport (node's http/https `request`) that calls `onWire` right before the request
 * goes out: on a kept-alive socket, in the 'socket' event (the request is flushed to it in the
 * same turn); on a new one, first among its 'connect' ('secureConnect' for TLS) listeners, which
 * is where node writes what was buffered. Written by hand because axios has no hook between
 * "request built" and "bytes on the socket"; `beforeRedirect`/`onUploadProgress` fire elsewhere.
 */
function wireTransport(onWire: () => void): { request: typeof http.request } {
  const request = ((options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest => {
    const req = (options.protocol === "https:" ? https : http).request(options, callback);
    const mark = () => {
      try {
        onWire();
      } catch (err) {
        req.destroy(new SendCancelled(err));
      }
    };
    req.once("socket", (socket: Socket) => {
      if (!socket.connecting) mark();
      else socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", mark);
    });
    return req;
  }) as typeof http.request;
  return { request };
}

function describeTransport(err: unknown): ZaloTransportError {
  if (err instanceof AxiosError) {
    const status = err.response?.status ?? null;
    const timedOut = status === null && (err.code === "ECONNABORTED" || err.code === "ETIMEDOUT");
    return new ZaloTransportError(status ? `Zalo answered HTTP ${status}` : `Zalo unreachable (${err.code ?? "network error"})`, status, timedOut);
  }
  return new ZaloTransportError(`Zalo request failed (${(err as Error)?.name ?? "error"})`, null);
}

/**
 * The OA token pair, kept in the store (TOKEN_CREDENTIAL): seeded from `.env`, refreshed before it
 * expires or when Zalo rejects it, one refresh at a time (the refresh token is single use).
 */
function createTokens(o: ZaloClientOptions, client: AxiosInstance, now: () => number) {
  function seedTokens(): void {
    const seed = o.seed;
    if (!seed?.accessToken && !seed?.refreshToken) return;
    const fingerprint = tokenFingerprint(seed.accessToken, seed.refreshToken);
    const stored = o.store.getCredential<TokenRecord>(TOKEN_CREDENTIAL);
    // Stored tokens win: they are newer than `.env` once a refresh has happened. A different pair
    // in `.env` than the one we started from means the operator pasted new tokens: take those.
    if (stored && stored.seed === fingerprint) return;
    o.store.setCredential<TokenRecord>(TOKEN_CREDENTIAL, {
      accessToken: seed.accessToken ?? "",
      refreshToken: seed.refreshToken ?? null,
      expiresAt: seed.accessToken ? null : 0,
      seed: fingerprint,
      refreshedAt: null,
    });
    o.logger.info({ source: stored ? "new pair in .env" : "first start" }, "zalo tokens taken from .env");
  }
  seedTokens();

  const stored = (): TokenRecord | undefined => o.store.getCredential<TokenRecord>(TOKEN_CREDENTIAL);
  let inflight: Promise<string> | null = null;
  let refusedUntil = 0;

  async function doRefresh(current: TokenRecord): Promise<string> {
    if (!o.appSecretKey) throw new ZaloAuthError("ZALO_APP_SECRET_KEY is not set, so the access token cannot be refreshed");
    if (!current.refreshToken) throw new ZaloAuthError("no refresh token: set ZALO_REFRESH_TOKEN in .env");
    if (now() < refusedUntil) throw new ZaloAuthError("Zalo refused the last token refresh; waiting before trying again");
    const form = new URLSearchParams({ app_id: o.appId, grant_type: "refresh_token", refresh_token: current.refreshToken });
    let body: unknown;
    try {
      const res = await client.post(`${o.oauthBaseUrl}/v4/oa/access_token`, form.toString(), {
        headers: { "content-type": "application/x-www-form-urlencoded", secret_key: o.appSecretKey },
        // Only connection failures are retried: after a 5xx we cannot know whether Zalo already
        // spent the single-use refresh token.
        "axios-retry": { retryCondition: (err) => isNetworkError(err) },
      });
      body = res.data;
    } catch (err) {
      throw describeTransport(err);
    }
    const ok = TokenResponse.safeParse(body);
    if (!ok.success) {
      refusedUntil = now() + REFRESH_COOLDOWN_MS;
      const e = OAuthErrorResponse.safeParse(body);
      const detail = e.success ? (e.data.error_description ?? e.data.error_reason ?? e.data.error_name ?? e.data.message ?? "no detail") : "unexpected response";
      throw new ZaloApiError(e.success && e.data.error !== undefined ? e.data.error : -1, `token refresh refused: ${detail}`);
    }
    const next: TokenRecord = {
      accessToken: ok.data.access_token,
      refreshToken: ok.data.refresh_token,
      expiresAt: now() + ok.data.expires_in * 1000,
      seed: current.seed,
      refreshedAt: now(),
    };
    // The old pair is dead from this moment: persist before handing the token to anyone.
    o.store.setCredential(TOKEN_CREDENTIAL, next);
    o.logger.info({ expiresInS: ok.data.expires_in }, "zalo access token refreshed");
    return next.accessToken;
  }

  function refresh(stale?: string): Promise<string> {
    if (inflight) return inflight;
    const current = stored();
    if (!current) return Promise.reject(new ZaloAuthError("no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN in .env"));
    // Someone refreshed between our failed call and now: use theirs.
    if (stale !== undefined && current.accessToken && current.accessToken !== stale) return Promise.resolve(current.accessToken);
    inflight = doRefresh(current).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function accessToken(): Promise<string> {
    if (inflight) return inflight;
    const current = stored();
    if (!current) throw new ZaloAuthError("no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN in .env");
    const fresh = current.accessToken && (current.expiresAt === null || current.expiresAt - EXPIRY_MARGIN_MS > now());
    return fresh ? current.accessToken : refresh();
  }

  return { accessToken, refresh, stored };
}

export function createZaloClient(o: ZaloClientOptions): ZaloClient {
  const now = o.clock ?? Date.now;
  const base = o.retryBaseMs ?? 500;
  const client: AxiosInstance = axios.create({ timeout: o.timeoutMs ?? 10_000, maxRedirects: 0 });
  axiosRetry(client, {
    retries: o.retries ?? 3,
    // Connection failures (nothing reached Zalo), 5xx and 429. Timeouts are not retried: the
    // message may have been delivered, and a resident should not get the answer twice.
    retryCondition: (err) => (isNetworkError(err) && !cancelledSend(err)) || (err.response !== undefined && (err.response.status >= 500 || err.response.status === 429)),
    retryDelay: (n) => Math.min(base * 2 ** (n - 1), 8_000),
    onRetry: (n, err) => o.logger.warn({ attempt: n, status: err.response?.status ?? null, code: err.code ?? null }, "zalo request retried"),
  });

  const { accessToken, refresh, stored } = createTokens(o, client, now);

  // ---- messages ------------------------------------------------------------------------

  /** One send request; `beforeSend` (at most once over its retries) as it goes on the wire. */
  async function post(token: string, userId: string, text: string, beforeSend?: () => void): Promise<z.infer<typeof SendResponse>> {
    let data: unknown;
    let cancelled: { error: unknown } | undefined;
    let marked = false;
    const onWire = () => {
      if (marked) return;
      marked = true;
      try {
        beforeSend?.();
      } catch (error) {
        cancelled = { error };
        throw error;
      }
    };
    try {
      const res = await client.post(
        `${o.apiBaseUrl}/v3.0/oa/message/cs`,
        { recipient: { user_id: userId }, message: { text } },
        { headers: { "content-type": "application/json", access_token: token }, transport: beforeSend ? wireTransport(onWire) : undefined },
      );
      data = res.data;
    } catch (err) {
      if (cancelled) throw cancelled.error;
      throw describeTransport(err);
    }
    const parsed = SendResponse.safeParse(data);
    if (!parsed.success) throw new ZaloApiError(-1, "unexpected response to a send");
    return parsed.data;
  }

  async function sendText(userId: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    if (text.length > ZALO_TEXT_LIMIT) throw new RangeError(`text longer than ${ZALO_TEXT_LIMIT} characters`);
    let token = await accessToken();
    let res = await post(token, userId, text, options.beforeSend);
    if (res.error !== 0 && TOKEN_ERROR_CODES.has(res.error)) {
      o.logger.warn({ code: res.error }, "zalo access token rejected; refreshing");
      token = await refresh(token);
      res = await post(token, userId, text);
    }
    if (res.error !== 0) throw new ZaloApiError(res.error, res.message ?? "");
    return { messageId: res.data?.message_id ?? null };
  }

  return {
    sendText,
    accessToken,
    refresh,
    tokenStatus() {
      const t = stored();
      return { hasAccessToken: Boolean(t?.accessToken), canRefresh: Boolean(t?.refreshToken && o.appSecretKey), expiresAt: t?.expiresAt ?? null };
    },
  };
}
