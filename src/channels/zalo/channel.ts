/**
 * The Zalo OA channel: `POST /webhooks/zalo` on the service's HTTP server, an in-process job
 * queue, and delivery of staff answers.
 *
 * A webhook request is verified on its raw body, validated, de-duplicated by event id and
 * acknowledged at once (Zalo resends events it does not see acknowledged within about two
 * seconds); the answer is worked out and sent afterwards. Jobs run with bounded concurrency,
 * and one resident's messages are handled in the order they arrived. Outgoing messages are
 * throttled, so a burst of residents never trips Zalo's rate limit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import PQueue from "p-queue";
import type { Assistant, Resident } from "../../core/assistant.js";
import { AppError, type ErrorCode } from "../../core/errors.js";
import type { CommuneDirectory } from "../../core/knowledge/communes.js";
import type { Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { createZaloClient, ZaloApiError, type ZaloClient } from "./client.js";
import { createZaloConversation, type ResidentEvent, type ZaloConversation } from "./conversation.js";
import { parseEvent } from "./events.js";
import { renderMessages } from "./format.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/** Where Zalo posts events (register `<public https address>/webhooks/zalo` in the app's webhook settings). */
export const ZALO_WEBHOOK_PATH = "/webhooks/zalo";

const APOLOGY = "Xin lỗi bà con, trợ lý đang gặp trục trặc. Bà con vui lòng thử lại sau ít phút.";
const TOO_FAST = "Bà con gửi nhanh quá, xin đợi một chút rồi hỏi tiếp nhé.";

export interface ZaloChannelOptions {
  readonly appId: string;
  readonly oaSecretKey: string;
  readonly appSecretKey?: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly apiBaseUrl: string;
  readonly oauthBaseUrl: string;
  /** Replay window for webhook timestamps (ms). */
  readonly maxEventAgeMs: number;
  /** Free reply window after a resident's last message (hours). */
  readonly freeWindowHours: number;
  readonly assistant: Assistant;
  readonly store: Store;
  readonly communes: CommuneDirectory;
  readonly flowTitles: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly controller: string;
  /** Jobs handled at once (default 4). */
  readonly concurrency?: number;
  /** Jobs waiting or running beyond which new events get 503 so Zalo resends later (default 1,000). */
  readonly maxPending?: number;
  /** Messages allowed per resident per time frame before "gửi nhanh quá" (default 8 per 10 s). */
  readonly rateLimit?: { readonly timeFrameMs: number; readonly limit: number };
  /** Outgoing messages per second to Zalo (default 8). */
  readonly sendsPerSecond?: number;
  /** First transport-retry delay (ms); tests shorten it. */
  readonly retryBaseMs?: number;
  readonly clock?: () => number;
}

export interface ZaloChannel {
  readonly client: ZaloClient;
  readonly conversation: ZaloConversation;
  /** Mounts `POST /webhooks/zalo` on the server (before it listens). */
  register(app: FastifyInstance): Promise<void>;
  /** Sends a staff answer; false outside the free window or when Zalo refuses (kept as undelivered). */
  deliver(userId: string, text: string): Promise<boolean>;
  /** Resolves when no job is waiting or running. */
  idle(): Promise<void>;
  /** Refuses new events and waits (at most `timeoutMs`) for the jobs already accepted. */
  close(timeoutMs?: number): Promise<boolean>;
  /** Jobs waiting or running. */
  pending(): number;
}

function reject(reply: FastifyReply, status: number, code: ErrorCode) {
  return reply.code(status).send({ error: { code, message: new AppError(code).userMessage } });
}

/** Error facts safe for logs: no request config, headers or tokens. */
function errInfo(err: unknown): Record<string, unknown> {
  if (err instanceof ZaloApiError) return { name: err.name, code: err.code, apiMessage: err.apiMessage };
  if (err instanceof Error) return { name: err.name, message: err.message, status: (err as { status?: unknown }).status ?? undefined };
  return { error: String(err) };
}

export function createZaloChannel(o: ZaloChannelOptions): ZaloChannel {
  const now = o.clock ?? Date.now;
  const log = o.logger;
  const client = createZaloClient({
    appId: o.appId,
    ...(o.appSecretKey ? { appSecretKey: o.appSecretKey } : {}),
    apiBaseUrl: o.apiBaseUrl,
    oauthBaseUrl: o.oauthBaseUrl,
    store: o.store,
    logger: log,
    seed: { ...(o.accessToken ? { accessToken: o.accessToken } : {}), ...(o.refreshToken ? { refreshToken: o.refreshToken } : {}) },
    ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const conversation = createZaloConversation({
    assistant: o.assistant,
    store: o.store,
    communes: o.communes,
    flowTitles: o.flowTitles,
    retentionDays: o.retentionDays,
    controller: o.controller,
    freeWindowHours: o.freeWindowHours,
    ...(o.clock ? { clock: o.clock } : {}),
  });

  const jobs = new PQueue({ concurrency: o.concurrency ?? 4 });
  const sends = new PQueue({ concurrency: 4, intervalCap: o.sendsPerSecond ?? 8, interval: 1000 });
  const maxPending = o.maxPending ?? 1000;
  const chains = new Map<string, Promise<void>>();
  let pending = 0;
  let closing = false;
  let idleWaiters: Array<() => void> = [];

  // ---- per-resident rate limit ---------------------------------------------------------
  const rl = o.rateLimit ?? { timeFrameMs: 10_000, limit: 8 };
  const recent = new Map<string, { times: number[]; warned: boolean }>();
  /** "ok", "warn" (first message over the limit: say so once) or "drop". */
  function admit(userId: string): "ok" | "warn" | "drop" {
    const t = now();
    if (recent.size > 10_000) for (const [k, v] of recent) if (t - (v.times[v.times.length - 1] ?? 0) > rl.timeFrameMs) recent.delete(k);
    const entry = recent.get(userId) ?? { times: [], warned: false };
    entry.times = entry.times.filter((x) => t - x < rl.timeFrameMs);
    recent.set(userId, entry);
    if (entry.times.length >= rl.limit) {
      if (entry.warned) return "drop";
      entry.warned = true;
      return "warn";
    }
    entry.times.push(t);
    entry.warned = false;
    return "ok";
  }

  // ---- sending ---------------------------------------------------------------------------
  async function sendAll(userId: string, texts: readonly string[]): Promise<void> {
    for (const text of texts) await sends.add(() => client.sendText(userId, text));
  }

  const freeWindowMs = o.freeWindowHours * 60 * 60 * 1000;
  async function deliver(userId: string, text: string): Promise<boolean> {
    const last = conversation.session(userId)?.lastInboundAt ?? null;
    if (last === null || now() - last > freeWindowMs) {
      log.info({ hoursSinceLastMessage: last === null ? null : Math.round((now() - last) / 3_600_000) }, "zalo staff answer kept: outside the free reply window");
      return false;
    }
    try {
      await sendAll(userId, renderMessages(text));
      return true;
    } catch (err) {
      log.warn({ err: errInfo(err) }, "zalo delivery of a staff answer failed");
      return false;
    }
  }

  // ---- jobs ----------------------------------------------------------------------------
  async function work(event: ResidentEvent): Promise<void> {
    const { userId } = event;
    if (event.kind === "text" || event.kind === "media") {
      const verdict = admit(userId);
      if (verdict === "drop") return;
      if (verdict === "warn") {
        await sendAll(userId, [TOO_FAST]).catch((err: unknown) => log.warn({ err: errInfo(err) }, "zalo send failed"));
        return;
      }
    }
    try {
      const replies = await conversation.handle(event);
      await sendAll(userId, replies);
    } catch (err) {
      log.error({ err: errInfo(err), event: event.kind }, "zalo event handling failed");
      if (!(err instanceof ZaloApiError)) await sendAll(userId, [APOLOGY]).catch(() => undefined);
      return;
    }
    if (event.kind !== "unfollow") {
      const resident: Resident = { channel: "zalo", channelUserId: userId };
      const delivered = await o.assistant.deliverPending(resident).catch(() => 0);
      if (delivered) log.info({ delivered }, "zalo staff answers delivered on the resident's return");
    }
  }

  function settle(): void {
    pending--;
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function schedule(event: ResidentEvent): void {
    pending++;
    const previous = chains.get(event.userId) ?? Promise.resolve();
    const next = previous.then(() => jobs.add(() => work(event))).then(
      () => undefined,
      (err: unknown) => log.error({ err: errInfo(err) }, "zalo job failed"),
    );
    const tracked = next.finally(() => {
      if (chains.get(event.userId) === tracked) chains.delete(event.userId);
      settle();
    });
    chains.set(event.userId, tracked);
  }

  const idle = (): Promise<void> => (pending === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));

  // ---- webhook -------------------------------------------------------------------------
  async function onWebhook(request: FastifyRequest, reply: FastifyReply) {
    const raw = typeof request.body === "string" ? request.body : "";
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return reject(reply, 400, "INVALID_BODY");
    }
    const ts = body !== null && typeof body === "object" ? (body as Record<string, unknown>).timestamp : undefined;
    const verdict = verifySignature({
      header: request.headers[SIGNATURE_HEADER],
      rawBody: raw,
      timestamp: typeof ts === "string" || typeof ts === "number" ? String(ts) : null,
      appId: o.appId,
      oaSecretKey: o.oaSecretKey,
      maxAgeMs: o.maxEventAgeMs,
      now: now(),
    });
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason, ip: request.ip }, "zalo webhook refused");
      return reject(reply, 401, verdict.reason === "stale" ? "TIMESTAMP_STALE" : "SIGNATURE_INVALID");
    }
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      log.warn({ issues: parsed.issues }, "zalo webhook event invalid");
      return reject(reply, 400, "EVENT_INVALID");
    }
    const event = parsed.event;
    if (event.kind === "ignored") return reply.send({ ok: true });
    if (event.kind === "unknown") {
      log.info({ event: event.name.slice(0, 64) }, "zalo event type not handled; acknowledged");
      return reply.send({ ok: true, handled: false });
    }
    if (closing || pending >= maxPending) {
      void reply.header("Retry-After", "30");
      return reject(reply, 503, "BUSY");
    }
    if (!o.store.markEventSeen("zalo", event.eventId)) return reply.send({ ok: true, duplicate: true });
    schedule(event.kind === "text" ? { kind: "text", userId: event.userId, text: event.text } : { kind: event.kind, userId: event.userId });
    return reply.send({ ok: true });
  }

  return {
    client,
    conversation,
    async register(app) {
      await app.register(async (scope) => {
        // The signature covers the body exactly as sent: keep it as a string.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser("*", { parseAs: "string" }, (_req, payload, done) => done(null, payload));
        scope.post(ZALO_WEBHOOK_PATH, onWebhook);
      });
      const t = client.tokenStatus();
      if (!t.hasAccessToken && !t.canRefresh) log.error("zalo: no access token and no way to refresh one; replies cannot be sent (set ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN)");
      else if (!t.canRefresh) log.warn("zalo: tokens cannot be refreshed (set ZALO_REFRESH_TOKEN and ZALO_APP_SECRET_KEY); replies stop when the access token expires");
    },
    deliver,
    idle,
    async close(timeoutMs = 10_000) {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const drained = await Promise.race([idle().then(() => true as const), timedOut]);
      clearTimeout(timer);
      if (!drained) log.warn({ pending }, "zalo jobs still running at shutdown");
      return drained;
    },
    pending: () => pending,
  };
}
