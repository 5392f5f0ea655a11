import { readFile } from "node:fs/promises";
import path from "node:path";
import fastifyRateLimit from "@fastify/rate-limit";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyError } from "fastify";
import type { Logger } from "pino";
import { AppError, type ErrorCode } from "../core/errors.js";
import { parseAskRequest, toPublicAnswer } from "../core/answering/request.js";
import type { AnswerRequest, AnswerResult } from "../core/answering/answer-question.js";
import type { StoreHealth } from "../core/store.js";
import type { IndexIntegrity } from "../core/ports.js";

/** Where the public chat page lives (plain HTML/CSS/JS, no build step). */
export const PUBLIC_DIR = path.resolve(import.meta.dirname, "../channels/web/public");

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/chat.js": { file: "chat.js", type: "text/javascript; charset=utf-8" },
  "/chat.css": { file: "chat.css", type: "text/css; charset=utf-8" },
};

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_BODY: 400,
  QUESTION_EMPTY: 400,
  QUESTION_TOO_LONG: 400,
  COMMUNE_UNKNOWN: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
};

function errorBody(code: ErrorCode) {
  return { error: { code, message: new AppError(code).userMessage } };
}

/** Maps framework errors (body too large, bad JSON, wrong media type) to our error codes. */
function toErrorCode(err: FastifyError | AppError | Error): ErrorCode {
  if (err instanceof AppError) return err.code;
  const code = (err as FastifyError).code;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return "PAYLOAD_TOO_LARGE";
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return "UNSUPPORTED_MEDIA_TYPE";
  if ((err as FastifyError).statusCode === 400 || code?.startsWith("FST_ERR_CTP")) return "INVALID_BODY";
  return "INTERNAL";
}

/**
 * Socket timeouts against slow and idle clients, in ms. `headersTimeoutMs`: the whole header
 * block must arrive within 10 s (slowloris); `requestTimeoutMs`: headers and body within 30 s
 * (a 64 KiB body over a poor 2G link still fits); Node answers both with 408 and closes the
 * socket, checking every `connectionsCheckingIntervalMs`. `keepAliveTimeoutMs`: an idle
 * kept-alive connection closes after 10 s. `connectionTimeoutMs`: a socket silent both ways for
 * 120 s is destroyed — longer than any answer takes, including a slow language model.
 */
export const HTTP_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 10_000,
  connectionTimeoutMs: 120_000,
  connectionsCheckingIntervalMs: 2_000,
} as const;
export type HttpTimeouts = { readonly [K in keyof typeof HTTP_TIMEOUTS]: number };

/** Default request body limit for every route (webhooks, API, console forms), in bytes. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Headers on every response: no inline script or style, no framing, no MIME sniffing, no referrer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** What each channel is doing, for /healthz. */
export interface ChannelStates {
  readonly telegram: { readonly state: "off" | "polling" | "webhook"; readonly connected: boolean };
  readonly zalo: {
    readonly state: "off" | "on";
    readonly tokens?: { readonly hasAccessToken: boolean; readonly canRefresh: boolean; readonly expiresAt: string | null };
    /** Acknowledged webhook events whose answers are still being prepared or sent. */
    readonly pendingJobs?: number;
  };
  readonly console: { readonly state: "on" | "off" };
}

/** The saved index files checked against their manifest, and whether the service is rebuilding them. */
export interface IndexHealth extends IndexIntegrity {
  readonly repairing: boolean;
}

/** The parts of /healthz the HTTP layer cannot see by itself (the service supplies them). */
export interface ServiceHealth {
  readonly database: StoreHealth;
  /** The index files; without it /healthz checks the engine's index itself. */
  readonly index?: IndexHealth;
  readonly channels: ChannelStates;
}

/**
 * What the HTTP layer needs from the question-answering side: answer a question, and for
 * /healthz describe the knowledge and check the saved index files. The composition root passes
 * the live engine (src/app/knowledge.ts), so a re-index shows here at once.
 */
export interface HttpEngine {
  answer(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: { readonly docs: readonly { readonly meta: { readonly as_of: string } }[]; readonly chunks: { readonly length: number } };
  readonly index: {
    readonly manifest: { readonly embedder: string; readonly dimensions: number; readonly chunks: number; readonly builtAt: string; readonly contentHash: string };
    /** Checks the saved index files against their manifest. */
    check(): Promise<IndexIntegrity>;
  };
}

/**
 * Builds the HTTP service: `GET /healthz`, `POST /api/ask`, and the chat page at `/`.
 * Channels that need webhooks mount their routes on the returned instance.
 */
export interface HttpServerDeps {
  readonly engine: HttpEngine;
  readonly logger: Logger;
  readonly bodyLimit?: number;
  /**
   * Called after each web-chat answer (the service records kind, confidence and sources for the
   * console's statistics; web visitors give no consent, so no question text is kept).
   */
  readonly recordAnswer?: (question: string, result: AnswerResult, latencyMs: number) => void;
  /** POST /api/ask requests allowed per client address per minute; 0 or unset = no limit. */
  readonly apiRateLimitPerMinute?: number;
  /** Reverse proxies whose X-Forwarded-* headers are believed (IPs, CIDRs, "loopback"). */
  readonly trustProxy?: readonly string[];
  /** Overrides of HTTP_TIMEOUTS (tests shorten them). */
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Database, index and channel states for /healthz; a failed database or index check makes it answer 503. */
  readonly health?: () => ServiceHealth | Promise<ServiceHealth>;
}

export async function createHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const { engine, logger } = deps;
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const timeouts = { ...HTTP_TIMEOUTS, ...deps.timeouts };
  const app = Fastify({
    loggerInstance: logger.child({ component: "http" }) as FastifyBaseLogger,
    bodyLimit,
    // Per-request lines add nothing the "answered" line lacks and would log every URL.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    http: { headersTimeout: timeouts.headersTimeoutMs, connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs },
    ...(deps.trustProxy?.length ? { trustProxy: [...deps.trustProxy] } : {}),
  });

  // `curl -d '{…}'` without a content type sends form encoding; accept a JSON body either way.
  app.addContentTypeParser(["application/x-www-form-urlencoded", "text/plain"], { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError("INVALID_BODY", "body is not JSON"), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const code = toErrorCode(err);
    const status = STATUS[code] ?? 500;
    if (status >= 500) request.log.error({ err }, "request failed");
    else request.log.debug({ code }, "request rejected");
    void reply.code(status).send(errorBody(code));
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(errorBody("NOT_FOUND"));
  });

  // Registered before any plugin, so it covers the console and the webhooks too.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });

  // Oversized bodies get the same 413 on every route (API, webhooks, console), decided from
  // Content-Length before anything reads the body; the connection is closed rather than drained.
  // A body sent without a length is still cut at the limit by the body parser.
  app.addHook("onRequest", async (request, reply) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > (request.routeOptions.bodyLimit ?? bodyLimit)) {
      request.log.debug({ declared }, "request body too large");
      return reply.code(413).header("Connection", "close").send(errorBody("PAYLOAD_TOO_LARGE"));
    }
  });

  // Per-address limit on the public API (the console has its own sign-in limits). The plugin's
  // 429 goes through the error handler above: code RATE_LIMITED, a Vietnamese message, Retry-After.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: () => new AppError("RATE_LIMITED", "too many /api/ask requests from one address"),
  });
  const perMinute = deps.apiRateLimitPerMinute ?? 0;
  const askRateLimit = perMinute > 0 ? { config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } } : {};

  app.get("/healthz", async (request, reply) => {
    const { knowledge, index } = engine;
    const asOf = knowledge.docs.map((d) => d.meta.as_of).sort();
    let state: ServiceHealth | undefined;
    let integrity: IndexIntegrity | IndexHealth | undefined;
    let ok = true;
    try {
      state = await deps.health?.();
      integrity = state?.index ?? (await index.check());
      ok = (state ? state.database.ok : true) && integrity.ok;
    } catch (err) {
      request.log.error({ err }, "health check failed");
      ok = false;
    }
    const body = {
      status: ok ? "ok" : "unavailable",
      documents: knowledge.docs.length,
      chunks: knowledge.chunks.length,
      index: {
        embedder: index.manifest.embedder,
        dimensions: index.manifest.dimensions,
        chunks: index.manifest.chunks,
        builtAt: index.manifest.builtAt,
        contentHash: index.manifest.contentHash.slice(0, 12),
        ...(integrity ? { files: integrity } : {}),
      },
      knowledge: { asOf: { newest: asOf.at(-1) ?? null, oldest: asOf[0] ?? null } },
      ...(state ? { database: state.database, channels: state.channels } : {}),
    };
    return reply.code(ok ? 200 : 503).header("Cache-Control", "no-store").send(body);
  });

  app.post("/api/ask", askRateLimit, async (request, reply) => {
    const ask = parseAskRequest(request.body ?? {});
    const started = performance.now();
    const result = await engine.answer(ask);
    const ms = performance.now() - started;
    // Question text stays out of the logs; kind, confidence and timing are enough to operate.
    request.log.info({ kind: result.kind, confidence: result.confidence, commune: result.commune, sources: result.sources.length, ms: Math.round(ms * 10) / 10 }, "answered");
    try {
      deps.recordAnswer?.(ask.question, result, ms);
    } catch (err) {
      // Statistics must never cost a resident their answer.
      request.log.error({ err }, "recording a web answer failed");
    }
    return reply.send(toPublicAnswer(result, ms));
  });

  await serveChatPage(app);
  return app;
}

/** The chat page's files, read once at start and served from memory. */
async function serveChatPage(app: FastifyInstance): Promise<void> {
  for (const [route, { file, type }] of Object.entries(STATIC_FILES)) {
    const body = await readFile(path.join(PUBLIC_DIR, file));
    app.get(route, async (_request, reply) => reply.type(type).header("Cache-Control", "no-cache").send(body));
  }
}
