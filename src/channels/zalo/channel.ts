/**
 * The Zalo OA channel: `POST /webhooks/zalo` on the service's HTTP server, and workers that answer
 * from the store's durable job queue (jobs.ts): residents' events, answered by the shared
 * dialogue and rendered as numbered text (format.ts), and staff answers.
 *
 * A webhook request is verified on its raw body, validated, and acknowledged only after its job
 * is stored: the event id is marked seen and the job written in one transaction (Zalo resends
 * events it does not see acknowledged within about two seconds, and a resend of a stored event
 * is a duplicate). Workers take jobs from the store with bounded concurrency, one resident's
 * messages in the order they arrived, and outgoing messages are throttled (Zalo's rate limit).
 *
 * Exactly once across crashes and restarts: a job's replies are worked out once and saved with
 * the job (`checkpoint`) before the first is sent; each message is then marked sent in the store
 * in the same turn of the event loop in which its request is handed to the socket (`beforeSend`,
 * see client.ts), so a restart sends exactly what never went out. Only a kill landing between
 * that commit and the socket write (microseconds) could cost one message; none is ever sent
 * twice. A message on the wire is not sent again after a timeout (Zalo may have it); one Zalo
 * surely did not take (HTTP 5xx/429, connection reset before an answer) is unmarked and retried
 * with backoff; after `maxAttempts` claims the job is given up (logged). On shutdown no new job
 * starts, running ones finish within the grace period and the rest stay in the store for the
 * next start (job-worker.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import PQueue from "p-queue";
import type { Assistant } from "../../core/assistant.js";
import type { Dialogue, DialogueState } from "../../core/dialogue/index.js";
import { AppError, type ErrorCode } from "../../core/errors.js";
import { SEEN_EVENT_DAYS, type Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { createJobWorker } from "../job-worker.js";
import { createZaloClient, type ZaloClient } from "./client.js";
import { parseEvent } from "./events.js";
import { createZaloJobs, zaloErrorFacts, type StoredEvent } from "./jobs.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/** Where Zalo posts events (register `<public https address>/webhooks/zalo` in the app's webhook settings). */
export const ZALO_WEBHOOK_PATH = "/webhooks/zalo";

/** How jobs are retried and how long they may live. */
export interface ZaloJobOptions {
  /** First delay before a job whose send failed is tried again (ms, doubling; default 5 s). */
  readonly retryBaseMs?: number;
  /** Longest delay between two tries (ms; default 5 minutes). */
  readonly retryMaxMs?: number;
  /** Claims of one job before it is given up (default 8: about ten minutes of failures). */
  readonly maxAttempts?: number;
  /** A claimed job is taken again after this long without progress (ms; default 10 minutes). */
  readonly leaseMs?: number;
}

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
  /** The resident dialogue (shared by every channel). */
  readonly dialogue: Dialogue;
  /** Writes staff answers again when a resident whose answer could not be sent writes. */
  readonly assistant: Assistant;
  readonly store: Store;
  readonly logger: Logger;
  /** Jobs handled at once (default 4). */
  readonly concurrency?: number;
  /** Jobs left in the store beyond which new events get 503 so Zalo resends later (default 1,000). */
  readonly maxPending?: number;
  readonly jobs?: ZaloJobOptions;
  /** Outgoing messages per second to Zalo (default 8). */
  readonly sendsPerSecond?: number;
  /** First transport-retry delay (ms); tests shorten it. */
  readonly retryBaseMs?: number;
  /** The replay window and the free reply window run on it (the dialogue's clock should be the same). */
  readonly clock?: () => number;
}

export interface ZaloChannel {
  readonly client: ZaloClient;
  /** Mounts `POST /webhooks/zalo` on the server (before it listens) and starts the workers. */
  register(app: FastifyInstance): Promise<void>;
  /** A Zalo user's dialogue state (undefined before their first event or after deletion). */
  state(userId: string): DialogueState | undefined;
  /** Resolves when no job is left in the store (waiting, running or waiting for a retry). */
  idle(): Promise<void>;
  /**
   * Refuses new events, starts no new job and waits (at most `timeoutMs`) for the running ones;
   * the others stay in the store for the next start. True when every running job finished.
   */
  close(timeoutMs?: number): Promise<boolean>;
  /** Jobs left in the store (waiting, running or waiting for a retry). */
  pending(): number;
}

function reject(reply: FastifyReply, status: number, code: ErrorCode) {
  return reply.code(status).send({ error: { code, message: new AppError(code).userMessage } });
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

  const queue = o.store.jobs;
  const sends = new PQueue({ concurrency: 4, intervalCap: o.sendsPerSecond ?? 8, interval: 1000 });
  const maxPending = o.maxPending ?? 1000;
  const leaseMs = o.jobs?.leaseMs ?? 10 * 60_000;
  const jobs = createZaloJobs({
    client,
    send: (task) => sends.add(task),
    queue,
    store: o.store,
    dialogue: o.dialogue,
    assistant: o.assistant,
    logger: log,
    now,
    freeWindowMs: o.freeWindowHours * 60 * 60 * 1000,
    leaseMs,
    retryBaseMs: o.jobs?.retryBaseMs ?? 5_000,
    retryMaxMs: o.jobs?.retryMaxMs ?? 5 * 60_000,
    maxAttempts: o.jobs?.maxAttempts ?? 8,
    wake: (delayMs) => worker.wake(delayMs),
  });
  const worker = createJobWorker({
    queue,
    channel: "zalo",
    logger: log,
    run: (job) => jobs.run(job),
    concurrency: o.concurrency ?? 4,
    leaseMs,
    maxAgeMs: SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000,
  });

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
    if (worker.closing || worker.pending() >= maxPending) {
      void reply.header("Retry-After", "30");
      return reject(reply, 503, "BUSY");
    }
    const job: StoredEvent = event.kind === "text" ? { kind: "text", userId: event.userId, text: event.text } : { kind: event.kind, userId: event.userId };
    let added: boolean;
    try {
      // Seen and stored in one transaction, committed before the 200 leaves.
      added = queue.enqueue({ channel: "zalo", eventId: event.eventId, orderKey: event.userId, payload: job });
    } catch (err) {
      log.error({ err: zaloErrorFacts(err) }, "zalo event could not be stored; Zalo will resend it");
      void reply.header("Retry-After", "30");
      return reject(reply, 503, "BUSY");
    }
    if (!added) return reply.send({ ok: true, duplicate: true });
    worker.wake(0);
    return reply.send({ ok: true });
  }

  return {
    client,
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
      worker.start();
    },
    state: (userId) => o.dialogue.state({ channel: "zalo", channelUserId: userId }),
    idle: () => worker.idle(),
    close: (timeoutMs = 10_000) => worker.close(timeoutMs),
    pending: () => worker.pending(),
  };
}
