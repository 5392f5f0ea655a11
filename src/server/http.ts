import { readFile } from "node:fs/promises";
import path from "node:path";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyError } from "fastify";
import type { Logger } from "pino";
import { AppError, type ErrorCode } from "../core/errors.js";
import { parseAskRequest, toPublicAnswer } from "../core/answering/request.js";
import type { AnswerResult } from "../core/answering/answer-question.js";
import type { Engine } from "../engine.js";

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
 * Builds the HTTP service: `GET /healthz`, `POST /api/ask`, and the chat page at `/`.
 * Channels that need webhooks mount their routes on the returned instance.
 */
export interface HttpServerDeps {
  readonly engine: Engine;
  readonly logger: Logger;
  readonly bodyLimit?: number;
  /**
   * Called after each web-chat answer (the service records kind, confidence and sources for the
   * console's statistics; web visitors give no consent, so no question text is kept).
   */
  readonly recordAnswer?: (question: string, result: AnswerResult, latencyMs: number) => void;
}

export async function createHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const { engine, logger } = deps;
  const app = Fastify({
    loggerInstance: logger.child({ component: "http" }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    disableRequestLogging: true,
    return503OnClosing: true,
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

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    reply.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    return payload;
  });

  app.get("/healthz", async () => ({
    status: "ok",
    documents: engine.knowledge.docs.length,
    chunks: engine.knowledge.chunks.length,
    index: { embedder: engine.index.manifest.embedder, builtAt: engine.index.manifest.builtAt },
  }));

  app.post("/api/ask", async (request, reply) => {
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

  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [route, { file, type }] of Object.entries(STATIC_FILES)) {
    files.set(route, { body: await readFile(path.join(PUBLIC_DIR, file)), type });
  }
  for (const [route, { body, type }] of files) {
    app.get(route, async (_request, reply) => reply.type(type).header("Cache-Control", "no-cache").send(body));
  }

  return app;
}
