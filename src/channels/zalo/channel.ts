/**
 * The Zalo OA channel: `POST /webhooks/zalo` on the service's HTTP server, workers that answer
 * from the store's durable job queue, and delivery of staff answers.
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
 * surely did not take (HTTP 5xx/429, connection reset before an answer) is unmarked and retried.
 * Sends that fail that way are retried with backoff; after `maxAttempts` claims the job is given
 * up (logged). On shutdown no new job starts, running ones finish within the grace period and
 * the rest stay in the store for the next start.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import PQueue from "p-queue";
import { z } from "zod/v4";
import type { Assistant, Resident } from "../../core/assistant.js";
import { AppError, type ErrorCode } from "../../core/errors.js";
import { createRateLimiter } from "../../core/rate-limit.js";
import type { Job } from "../../core/jobs.js";
import type { CommuneDirectory } from "../../core/knowledge/communes.js";
import type { Flow } from "../../core/flows/types.js";
import { SEEN_EVENT_DAYS, type Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { createZaloClient, ZaloApiError, ZaloAuthError, ZaloTransportError, type ZaloClient } from "./client.js";
import { createZaloConversation, type ResidentEvent, type ZaloConversation } from "./conversation.js";
import { parseEvent } from "./events.js";
import { renderMessages } from "./format.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/** Where Zalo posts events (register `<public https address>/webhooks/zalo` in the app's webhook settings). */
export const ZALO_WEBHOOK_PATH = "/webhooks/zalo";

const APOLOGY = "Xin lỗi bà con, trợ lý đang gặp trục trặc. Bà con vui lòng thử lại sau ít phút.";
const TOO_FAST = "Bà con gửi nhanh quá, xin đợi một chút rồi hỏi tiếp nhé.";
/** How often idle workers look for jobs that became due (retries after a restart). */
const POLL_MS = 1000;

/** What a job keeps of the event: what the conversation needs to answer it. */
const StoredEvent = z.union([
  z.object({ kind: z.literal("text"), userId: z.string().min(1), text: z.string() }),
  z.object({ kind: z.enum(["media", "follow", "unfollow"]), userId: z.string().min(1) }),
]);
/** A job's progress: its replies, worked out once, and how many were handed to Zalo. */
const Progress = z.object({ replies: z.array(z.string()), next: z.number().int().min(0) });
type Progress = z.infer<typeof Progress>;

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
  readonly assistant: Assistant;
  readonly store: Store;
  /** The live knowledge (read at each use, so a re-index shows at once). */
  readonly knowledge: () => { communes: CommuneDirectory; flows: readonly Flow[] };
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly controller: string;
  /** Jobs handled at once (default 4). */
  readonly concurrency?: number;
  /** Jobs left in the store beyond which new events get 503 so Zalo resends later (default 1,000). */
  readonly maxPending?: number;
  readonly jobs?: ZaloJobOptions;
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
    knowledge: o.knowledge,
    retentionDays: o.retentionDays,
    controller: o.controller,
    freeWindowHours: o.freeWindowHours,
    ...(o.clock ? { clock: o.clock } : {}),
  });

  const queue = o.store.jobs;
  const concurrency = o.concurrency ?? 4;
  const sends = new PQueue({ concurrency: 4, intervalCap: o.sendsPerSecond ?? 8, interval: 1000 });
  const maxPending = o.maxPending ?? 1000;
  const retryBaseMs = o.jobs?.retryBaseMs ?? 5_000;
  const retryMaxMs = o.jobs?.retryMaxMs ?? 5 * 60_000;
  const maxAttempts = o.jobs?.maxAttempts ?? 8;
  const leaseMs = o.jobs?.leaseMs ?? 10 * 60_000;
  /** Jobs this process is working on, by id. */
  const running = new Map<number, Promise<void>>();
  let closing = false;
  let idleWaiters: Array<() => void> = [];

  // ---- per-resident rate limit (the same sliding window as Telegram's) -------------------
  const rl = o.rateLimit ?? { timeFrameMs: 10_000, limit: 8 };
  const limiter = createRateLimiter({ limit: rl.limit, windowMs: rl.timeFrameMs, now });
  const admit = (userId: string) => limiter.admit(userId);

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
  /** The replies to an event (the conversation's writes happen here); never throws. */
  async function prepare(event: ResidentEvent): Promise<string[]> {
    const { userId } = event;
    if (event.kind === "text" || event.kind === "media") {
      const verdict = admit(userId);
      if (verdict === "drop") return [];
      if (verdict === "warn") return [TOO_FAST];
    }
    try {
      return await conversation.handle(event);
    } catch (err) {
      log.error({ err: errInfo(err), event: event.kind }, "zalo event handling failed");
      return [APOLOGY];
    }
  }

  /** Sends the replies not handed to Zalo yet, each marked in the store right before it goes out. */
  async function sendReplies(jobId: number, userId: string, progress: Progress): Promise<void> {
    let current = progress;
    while (current.next < current.replies.length) {
      const text = current.replies[current.next] as string;
      const before = current;
      const marked: Progress = { replies: current.replies, next: current.next + 1 };
      let onWire = false;
      try {
        await sends.add(() =>
          client.sendText(userId, text, {
            beforeSend: () => {
              queue.checkpoint(jobId, marked, leaseMs);
              onWire = true;
            },
          }),
        );
      } catch (err) {
        // Zalo surely did not take it (refused connection, HTTP error): send it again next time.
        // After a timeout it may have: it stays marked, so it is never delivered twice.
        const uncertain = err instanceof ZaloTransportError && err.uncertain;
        if (onWire && !uncertain) queue.checkpoint(jobId, before, leaseMs);
        throw err;
      }
      current = marked;
    }
  }

  /** A send failed: retry the job later with backoff, or give it up. */
  function failed(job: Job, err: unknown): void {
    const transient = err instanceof ZaloTransportError || err instanceof ZaloAuthError;
    if (transient && job.attempts < maxAttempts) {
      const delayMs = Math.min(retryBaseMs * 2 ** (job.attempts - 1), retryMaxMs);
      log.warn({ job: job.id, attempt: job.attempts, delayMs, err: errInfo(err) }, "zalo send failed; job retried later");
      queue.retry(job.id, delayMs);
      wake(delayMs);
      return;
    }
    if (transient) log.error({ job: job.id, attempts: job.attempts, err: errInfo(err) }, "zalo job given up after repeated send failures");
    else log.warn({ job: job.id, err: errInfo(err) }, "zalo send refused; rest of the answer dropped");
    queue.complete(job.id);
  }

  async function runJob(job: Job): Promise<void> {
    const parsed = StoredEvent.safeParse(job.payload);
    if (!parsed.success) {
      log.error({ job: job.id }, "zalo job unreadable (USER_KEY_SECRET changed?); dropped");
      queue.complete(job.id);
      return;
    }
    const event: ResidentEvent = parsed.data;
    const saved = Progress.safeParse(job.progress);
    let progress: Progress;
    if (saved.success) {
      progress = saved.data;
    } else {
      // Saved before any message goes out: a restart never works the event out a second time.
      progress = { replies: await prepare(event), next: 0 };
      if (progress.replies.length) queue.checkpoint(job.id, progress, leaseMs);
    }
    try {
      await sendReplies(job.id, event.userId, progress);
    } catch (err) {
      failed(job, err);
      return;
    }
    if (event.kind !== "unfollow") {
      const resident: Resident = { channel: "zalo", channelUserId: event.userId };
      const delivered = await o.assistant.deliverPending(resident).catch(() => 0);
      if (delivered) log.info({ delivered }, "zalo staff answers delivered on the resident's return");
    }
    queue.complete(job.id);
  }

  function pendingInStore(): number {
    try {
      return queue.pending("zalo");
    } catch {
      return running.size;
    }
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0 || running.size > 0 || pendingInStore() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  /** Looks for claimable jobs after `delayMs` (the earliest request wins). */
  function wake(delayMs = 0): void {
    if (closing) return;
    const at = Date.now() + delayMs;
    if (wakeTimer && wakeAt <= at) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      wakeAt = Number.POSITIVE_INFINITY;
      pump();
    }, delayMs);
    wakeTimer.unref();
  }

  /** Starts as many claimable jobs as there are free workers. */
  function pump(): void {
    if (closing) return;
    const free = concurrency - running.size;
    if (free <= 0) return;
    let claimed: Job[];
    try {
      claimed = queue.claim("zalo", { limit: free, leaseMs });
    } catch (err) {
      log.error({ err: errInfo(err) }, "zalo jobs could not be claimed");
      wake(POLL_MS);
      return;
    }
    for (const job of claimed) {
      // A job of ours whose lease ran out while it was still working: it is still ours.
      if (running.has(job.id)) continue;
      const task = runJob(job)
        .catch((err: unknown) => log.error({ err: errInfo(err), job: job.id }, "zalo job failed"))
        .finally(() => {
          running.delete(job.id);
          pump();
          checkIdle();
        });
      running.set(job.id, task);
    }
    // Jobs not due yet (a retry after a restart) or held back by an earlier one of the same resident.
    if (running.size < concurrency && pendingInStore() > running.size) wake(POLL_MS);
  }

  /** At start: jobs a previous process left (claimed or not) are taken up. */
  function resume(): void {
    const { released, expired } = queue.recover("zalo", SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000);
    if (expired) log.warn({ expired }, "zalo jobs older than the de-duplication window dropped");
    const left = queue.pending("zalo");
    if (left) log.info({ pending: left, released }, "zalo jobs left by the last run taken up");
    wake(0);
  }

  const idle = (): Promise<void> =>
    running.size === 0 && pendingInStore() === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));

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
    if (closing || pendingInStore() >= maxPending) {
      void reply.header("Retry-After", "30");
      return reject(reply, 503, "BUSY");
    }
    const job = event.kind === "text" ? { kind: "text", userId: event.userId, text: event.text } : { kind: event.kind, userId: event.userId };
    let added: boolean;
    try {
      // Seen and stored in one transaction, committed before the 200 leaves.
      added = queue.enqueue({ channel: "zalo", eventId: event.eventId, orderKey: event.userId, payload: job });
    } catch (err) {
      log.error({ err: errInfo(err) }, "zalo event could not be stored; Zalo will resend it");
      void reply.header("Retry-After", "30");
      return reject(reply, 503, "BUSY");
    }
    if (!added) return reply.send({ ok: true, duplicate: true });
    wake(0);
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
      resume();
    },
    deliver,
    idle,
    async close(timeoutMs = 10_000) {
      closing = true;
      clearTimeout(wakeTimer);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const drained = await Promise.race([Promise.all(running.values()).then(() => true as const), timedOut]);
      clearTimeout(timer);
      if (!drained) {
        // Their progress is saved: the next start sends what they had not handed to Zalo yet.
        const ids = [...running.keys()];
        try {
          queue.release(ids);
        } catch (err) {
          log.error({ err: errInfo(err) }, "zalo job leases could not be released");
        }
        log.warn({ running: ids.length }, "zalo jobs still running at shutdown; left for the next start");
      }
      const left = pendingInStore();
      if (left) log.info({ left }, "zalo jobs left in the store for the next start");
      return drained;
    },
    pending: pendingInStore,
  };
}
