/**
 * The residents' web page as a full channel, over the shared assistant like Telegram and Zalo:
 * answers with follow-up context (kept by the page in its browser session), 👍/👎 with an
 * optional reason, "Hỏi cán bộ xã" with the same consent, staff answers collected by the page,
 * the commune picker and the resident's data. The page names itself by a random session id
 * (sessionStorage); the store only sees its pseudonymous key, and keeps question text only with
 * consent. POST /api/ask stays as it was (http.ts): this plugin adds routes under /api/web/.
 *
 *   GET  /api/web/info      → WebInfo (communes, consent wording)
 *   POST /api/web/ask       { sessionId, text, commune?, context? } → WebAnswer
 *   POST /api/web/feedback  { sessionId, messageId, rating: "up"|"down", reason? } → { ok, reasonKept }
 *   POST /api/web/consent   { sessionId, granted } → { consent }
 *   POST /api/web/staff     { sessionId, messageId?, text? } → { queued, message } | 403 CONSENT_REQUIRED
 *   POST /api/web/inbox     { sessionId } → { answers, waiting, consent }
 *   POST /api/web/my-data   { sessionId } → { text }
 *   POST /api/web/forget    { sessionId } → { removed }
 *   GET  /web/<module>.js   the page's channel modules
 *
 * Errors use the service's shape, { error: { code, message } }, through http.ts's handler.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";
import { z } from "zod/v4";
import type { Assistant, FollowUpContext, Resident, Turn } from "../../core/assistant.js";
import { MAX_QUESTION_CHARS, parseAskRequest, toPublicAnswer, type PublicAnswer } from "../../core/answering/request.js";
import { AppError } from "../../core/errors.js";
import type { CommuneDirectory } from "../../core/knowledge/communes.js";
import { myDataText } from "../../core/privacy/notice.js";
import { createRateLimiter, type RateLimiter } from "../../core/rate-limit.js";
import type { Store, UserRecord } from "../../core/store.js";
import { DIALOGUE_TEXTS } from "../../core/dialogue/texts.js";
import type { WebMailbox } from "./mailbox.js";
import { WEB_DELETE_HOW, webInfo } from "./info.js";

/** The page's modules served by this plugin (chat.js, index.html and chat.css are served by http.ts). */
export const WEB_MODULES = ["channel.js", "commune.js", "actions.js", "menu.js"] as const;
const MODULE_DIR = path.resolve(import.meta.dirname, "public/web");

/** Longest reason accepted after a 👎, in characters. */
export const MAX_REASON_CHARS = 500;

/** Per-session limits, on top of the per-address limit of API_RATE_LIMIT_PER_MINUTE. */
export interface WebLimits {
  /** Questions per session (the same sliding window as Telegram and Zalo). */
  readonly asks: { readonly limit: number; readonly windowMs: number };
  /** Questions sent to staff per session: the officials' queue is not a chat. */
  readonly staff: { readonly limit: number; readonly windowMs: number };
}

export const WEB_LIMITS: WebLimits = {
  asks: { limit: 8, windowMs: 10_000 },
  staff: { limit: 5, windowMs: 60 * 60_000 },
};

export interface WebChannelOptions {
  readonly assistant: Assistant;
  /** Staff answers for web sessions (shared with dialogue-routes.ts). */
  readonly mailbox: WebMailbox;
  readonly store: Store;
  /** Read at request time: a re-index replaces the knowledge. */
  readonly engine: { readonly knowledge: { readonly communes: CommuneDirectory } };
  readonly config: { readonly COMMUNE: string; readonly RETENTION_DAYS: number; readonly CONTROLLER_NAME: string; readonly API_RATE_LIMIT_PER_MINUTE: number };
  readonly limits?: Partial<WebLimits>;
  readonly clock?: () => number;
}

/** What the page gets for a question. */
export interface WebAnswer {
  readonly messageId: number;
  readonly answer: PublicAnswer;
  /** Set when the question went to the officials' queue by itself (unanswered, with consent). */
  readonly queued: { readonly id: number } | null;
  /** What the page sends back with the next question, for follow-ups. */
  readonly context: FollowUpContext | null;
  /** Which buttons the answer gets (the same rules as Telegram's). */
  readonly actions: { readonly feedback: boolean; readonly staff: boolean };
  readonly consent: boolean | null;
}

const SessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "a random id of 16 to 64 letters, digits, - or _");
const CommuneId = z.string().max(64);
const SessionBody = z.object({ sessionId: SessionId });
const AskBody = z.object({
  sessionId: SessionId,
  text: z.string(),
  commune: CommuneId.nullish(),
  context: z
    .object({ question: z.string().trim().min(1).max(MAX_QUESTION_CHARS), commune: CommuneId.nullable(), at: z.number().int().nonnegative() })
    .nullish(),
});
const FeedbackBody = z.object({
  sessionId: SessionId,
  messageId: z.number().int().positive(),
  rating: z.enum(["up", "down"]),
  reason: z.string().max(MAX_REASON_CHARS * 2).nullish(),
});
const ConsentBody = z.object({ sessionId: SessionId, granted: z.boolean() });
const StaffBody = z.object({ sessionId: SessionId, messageId: z.number().int().positive().optional(), text: z.string().optional() });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const commune = result.error.issues.some((i) => i.path[0] === "commune" || (i.path[0] === "context" && i.path[1] === "commune"));
  throw new AppError(commune ? "COMMUNE_UNKNOWN" : "INVALID_BODY", result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
}

/** The buttons under an answer: none for small talk, no "Hỏi cán bộ xã" on a refusal or a queued question. */
function actionsOf(turn: Turn): WebAnswer["actions"] {
  const kind = turn.result.kind;
  if (kind === "smalltalk") return { feedback: false, staff: false };
  return { feedback: true, staff: kind !== "refusal" && turn.queued === null };
}

const consentOf = (user: UserRecord | undefined): boolean | null => user?.consent?.granted ?? null;

/** What every route of the plugin shares. */
interface Shared {
  readonly o: WebChannelOptions;
  readonly communes: () => CommuneDirectory;

  readonly askLimiter: RateLimiter;
  readonly staffLimiter: RateLimiter;
  /** Route options with the per-address limit (like POST /api/ask); empty when it is off. */
  readonly perAddress: object;
  resident(sessionId: string): Resident;
  keyOf(sessionId: string): string;
  /** Throws RATE_LIMITED (with Retry-After) when the session is over `limiter`. */
  admit(limiter: RateLimiter, sessionId: string, reply: FastifyReply): void;
  /** The id if it is a commune of the knowledge (null and undefined pass), else COMMUNE_UNKNOWN. */
  knownCommune(id: string | null | undefined): string | null | undefined;
}

const noStore = (reply: FastifyReply) => reply.header("Cache-Control", "no-store");

function shared(o: WebChannelOptions): Shared {
  const limits = { ...WEB_LIMITS, ...o.limits };
  const now = o.clock ?? Date.now;
  const communes = () => o.engine.knowledge.communes;
  const perMinute = o.config.API_RATE_LIMIT_PER_MINUTE;
  const keyOf = (sessionId: string) => o.store.userKey("web", sessionId);
  return {
    o,
    communes,
    askLimiter: createRateLimiter({ ...limits.asks, now }),
    staffLimiter: createRateLimiter({ ...limits.staff, now }),
    perAddress: perMinute > 0 ? { config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } } : {},
    resident: (sessionId) => ({ channel: "web", channelUserId: sessionId }),
    keyOf,
    admit(limiter, sessionId, reply) {
      if (limiter.admit(keyOf(sessionId)) === "ok") return;
      void reply.header("Retry-After", "60");
      throw new AppError("RATE_LIMITED", "too many web requests from one session");
    },
    knownCommune(id) {
      if (id === undefined || id === null) return id;
      if (!communes().get(id)) throw new AppError("COMMUNE_UNKNOWN", id);
      return id;
    },
  };
}

/** The page's information, questions and ratings. */
function answerRoutes(app: FastifyInstance, s: Shared): void {
  const { assistant, store, config } = s.o;

  app.get("/api/web/info", async (_request, reply) => {
    const info = webInfo({ communes: s.communes(), defaultCommune: config.COMMUNE, retentionDays: config.RETENTION_DAYS, controller: config.CONTROLLER_NAME });
    return reply.header("Cache-Control", "no-cache").send(info);
  });

  app.post("/api/web/ask", s.perAddress, async (request, reply) => {
    const body = parse(AskBody, request.body);
    const { question } = parseAskRequest({ question: body.text });
    const commune = s.knownCommune(body.commune);
    const context = body.context ? { ...body.context, commune: s.knownCommune(body.context.commune) ?? null } : body.context;
    s.admit(s.askLimiter, body.sessionId, reply);
    const r = s.resident(body.sessionId);
    if (commune !== undefined && assistant.user(r).commune !== commune) assistant.setCommune(r, commune);
    const started = performance.now();
    const turn = await assistant.ask(r, question, { deliveryAddress: body.sessionId, ...(context !== undefined ? { context } : {}) });
    const ms = performance.now() - started;
    const { result } = turn;
    // Question text stays out of the logs, as for POST /api/ask.
    request.log.info({ kind: result.kind, confidence: result.confidence, commune: result.commune, queued: turn.queued !== null, ms: Math.round(ms) }, "web answered");
    const answer: WebAnswer = {
      messageId: turn.messageId,
      answer: toPublicAnswer(result, ms),
      queued: turn.queued ? { id: turn.queued.id } : null,
      context: turn.context,
      actions: actionsOf(turn),
      consent: consentOf(assistant.user(r)),
    };
    return noStore(reply).send(answer);
  });

  app.post("/api/web/feedback", s.perAddress, async (request, reply) => {
    const body = parse(FeedbackBody, request.body);
    const reason = body.reason?.normalize("NFC").trim() || null;
    if (reason && [...reason].length > MAX_REASON_CHARS) throw new AppError("INVALID_BODY", `reason: at most ${MAX_REASON_CHARS} characters`);
    if (!assistant.feedback(s.resident(body.sessionId), body.messageId, body.rating, reason)) throw new AppError("NOT_FOUND", "no such message in this session");
    const consent = consentOf(store.getUser(s.keyOf(body.sessionId)));
    return noStore(reply).send({ ok: true, reasonKept: reason !== null && consent === true });
  });
}

/** Consent, "Hỏi cán bộ xã", staff answers, and the resident's data. */
function staffRoutes(app: FastifyInstance, s: Shared): void {
  const { assistant, store, config } = s.o;

  app.post("/api/web/consent", s.perAddress, async (request, reply) => {
    const body = parse(ConsentBody, request.body);
    const user = assistant.setConsent(s.resident(body.sessionId), body.granted);
    request.log.info({ granted: body.granted }, "web consent recorded");
    return noStore(reply).send({ consent: user.consent });
  });

  app.post("/api/web/staff", s.perAddress, async (request, reply) => {
    const body = parse(StaffBody, request.body);
    const text = body.text === undefined ? undefined : parseAskRequest({ question: body.text }).question;
    if (text === undefined && body.messageId === undefined) throw new AppError("QUESTION_EMPTY", "neither text nor messageId");
    const key = s.keyOf(body.sessionId);
    if (body.messageId !== undefined && store.getMessage(body.messageId)?.userKey !== key) throw new AppError("NOT_FOUND", "no such message in this session");
    if (!store.getUser(key)?.consent?.granted) {
      return noStore(reply).code(403).send({ error: { code: "CONSENT_REQUIRED", message: new AppError("CONSENT_REQUIRED").userMessage } });
    }
    // The same answer sent twice (a double click) is one question for staff.
    const open = body.messageId === undefined ? undefined : store.listQueue({ status: "open", userKey: key }).find((i) => i.messageId === body.messageId);
    if (open) return noStore(reply).send({ queued: { id: open.id, createdAt: open.createdAt }, message: DIALOGUE_TEXTS.answerQueuedNote });
    s.admit(s.staffLimiter, body.sessionId, reply);
    const input = { ...(body.messageId !== undefined ? { messageId: body.messageId } : {}), ...(text ? { text } : {}), deliveryAddress: body.sessionId };
    const outcome = assistant.requestStaff(s.resident(body.sessionId), input);
    if (!outcome.ok) {
      if (outcome.reason === "consent_required") throw new AppError("CONSENT_REQUIRED");
      throw new AppError("QUESTION_EMPTY", "the message's text was not stored");
    }
    request.log.info({ id: outcome.item.id, reason: outcome.item.reason }, "web question queued for staff");
    return noStore(reply).send({ queued: { id: outcome.item.id, createdAt: outcome.item.createdAt }, message: DIALOGUE_TEXTS.answerQueuedNote });
  });

  app.post("/api/web/inbox", s.perAddress, async (request, reply) => {
    const { sessionId } = parse(SessionBody, request.body);
    const key = s.keyOf(sessionId);
    // A session that never asked anything creates nothing here.
    if (!store.getUser(key)) return noStore(reply).send({ answers: [], waiting: 0, consent: null });
    // Answers written while the resident was away are put back in the mailbox, then collected.
    await s.o.assistant.deliverPending(s.resident(sessionId));
    const answers = s.o.mailbox.take(sessionId).map((r) => r.text);
    if (answers.length) request.log.info({ answers: answers.length }, "web staff answers collected");
    const waiting = store.listQueue({ status: "open", userKey: key }).length;
    return noStore(reply).send({ answers: answers.map((text) => ({ text })), waiting, consent: consentOf(store.getUser(key)) });
  });

  app.post("/api/web/my-data", s.perAddress, async (request, reply) => {
    const { sessionId } = parse(SessionBody, request.body);
    const text = myDataText(assistant.myData(s.resident(sessionId)), { retentionDays: config.RETENTION_DAYS, deleteHow: WEB_DELETE_HOW, channelName: "trang web" });
    return noStore(reply).send({ text });
  });

  app.post("/api/web/forget", s.perAddress, async (request, reply) => {
    const { sessionId } = parse(SessionBody, request.body);
    const counts = assistant.forget(s.resident(sessionId));
    const removed = Object.values(counts).reduce((sum, n) => sum + n, 0);
    request.log.info({ rows: removed }, "web user data deleted");
    return noStore(reply).send({ removed });
  });
}

export const webChannelRoutes: FastifyPluginAsync<WebChannelOptions> = async (app, o) => {
  const s = shared(o);
  answerRoutes(app, s);
  staffRoutes(app, s);
  for (const file of WEB_MODULES) {
    const body = await readFile(path.join(MODULE_DIR, file));
    app.get(`/web/${file}`, async (_request, reply) => reply.type("text/javascript; charset=utf-8").header("Cache-Control", "no-cache").send(body));
  }
};
