/**
 * The officials' console under /console: staff sign-in (server-side sessions, CSRF tokens,
 * rate-limited sign-in), and the pages Hỏi đáp, Bản tin, Câu hỏi chờ, Thống kê, Tri thức, each
 * with a small JSON API under /console/api. Everything is server-rendered HTML with one static
 * CSS and one static JS file (no inline script or style, no external request).
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifySession from "@fastify/session";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod/v4";
import { toPublicAnswer } from "../../../core/answering/request.js";
import { checkPublicQuestion, repeatsResidentDetails } from "../../../core/privacy/depersonalize.js";
import { hashPassword, verifyPassword } from "../../../core/auth/password.js";
import { createSignInGuard } from "../../../core/auth/sign-in-guard.js";
import { AppError } from "../../../core/errors.js";
import type { Channel, QueueItem, QueueStatus, StaffAccount } from "../../../core/store.js";
import { fold } from "../../../core/text/normalize.js";
import type { ConsoleDeps } from "./deps.js";
import { html } from "./html.js";
import { BASE, page, type Flash, type NavId } from "./layout.js";
import { answerView, askForm } from "./pages/ask.js";
import { broadcastForm, scriptView, type BroadcastFormValues } from "./pages/broadcast.js";
import { knowledgeBody, reindexMessage, type ReindexStatus } from "./pages/knowledge.js";
import { faqSuggestion, queueBody, queueHref, type AnswerDraft, type QueueFilter } from "./pages/queue.js";
import { consoleOffPage, errorPage, signInPage } from "./pages/sign-in.js";
import { DAY_CHOICES, statsBody } from "./pages/stats.js";
import { createMemorySessionStore } from "./session-store.js";
import { CHANNEL_LABELS, CONSOLE_ERRORS, SIGN_IN, type ConsoleErrorCode } from "./texts.js";

export type { ConsoleDeps } from "./deps.js";

/** Where console.css and console.js live (no build step). */
export const CONSOLE_PUBLIC_DIR = path.resolve(import.meta.dirname, "public");

/** Name of the console's session cookie (path /console only). */
export const SESSION_COOKIE = "tlsx_console";
const MAX_TEXT = 2000;

declare module "fastify" {
  interface Session {
    /** The signed-in account: name, a fingerprint of its password hash, sign-in time (ms). */
    staff?: { username: string; key: string; at: number };
    flash?: Flash[];
    _csrf?: string;
  }
  interface FastifyRequest {
    consoleStaff: StaffAccount | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (sign-in page, static files). */
    consolePublic?: boolean;
  }
}

/** Changes when the password changes, so a new password ends the other sessions. */
const hashKey = (passwordHash: string) => createHash("sha256").update(passwordHash).digest("base64url").slice(0, 22);

const isApi = (request: FastifyRequest) => request.url.startsWith(`${BASE}/api/`);

function apiError(reply: FastifyReply, status: number, code: ConsoleErrorCode, detail?: Record<string, unknown>) {
  return reply.code(status).header("Cache-Control", "no-store").send({ error: { code, message: CONSOLE_ERRORS[code], ...detail } });
}

function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).type("text/html; charset=utf-8").header("Cache-Control", "no-store").send(body);
}

/** Only console pages are valid targets after sign-in or an action (no open redirect). */
function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== "string") return fallback;
  return /^\/console(?:\/[A-Za-z0-9\-/]*)?(?:\?[A-Za-z0-9\-_=&%.]*)?$/.test(next) && !next.startsWith(`${BASE}/api`) ? next : fallback;
}

/* ---------- input schemas (zod at every boundary) ---------- */

const text = (max: number) => z.string().transform((s) => s.normalize("NFC").trim()).pipe(z.string().min(1).max(max));
const SignInBody = z.object({ username: z.string().max(64).default(""), password: z.string().max(256).default(""), next: z.string().max(300).optional() });
const AskBody = z.object({ question: text(MAX_TEXT), commune: z.string().max(40).optional().nullable() });
const BroadcastBody = z.object({
  topic: text(200),
  minutes: z.coerce.number().int().min(1).max(10),
  commune: z.string().max(40).optional().nullable(),
  format: z.enum(["docx", "txt"]).optional(),
});
const AnswerBody = z.object({
  answer: text(MAX_TEXT),
  saveFaq: z.union([z.boolean(), z.literal("1"), z.literal("on"), z.literal("true")]).optional(),
  faqQuestion: z.string().max(300).optional(),
  back: z.string().max(300).optional(),
});
const BackBody = z.object({ back: z.string().max(300).optional() });
const IdParams = z.object({ id: z.coerce.number().int().positive() });
const STATUSES = ["open", "answered", "closed"] as const;
const CHANNELS = ["telegram", "zalo", "web"] as const;

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new AppError("INVALID_BODY", result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return result.data;
}

/**
 * Registers the console. Creates the first account `admin` from CONSOLE_PASSWORD when there is
 * none. Without any account the console answers with a page saying how to turn it on; it turns
 * on by itself once an account exists (no restart needed). Returns whether it is on now.
 */
export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<{ enabled: boolean }> {
  const log = deps.logger.child({ component: "console" });
  if (deps.store.countStaff() === 0 && deps.config.CONSOLE_PASSWORD) {
    try {
      deps.store.createStaff("admin", await hashPassword(deps.config.CONSOLE_PASSWORD));
      log.info({ staff: "admin" }, "first console account created from CONSOLE_PASSWORD");
    } catch (err) {
      if (!(err instanceof AppError && err.code === "STAFF_EXISTS")) throw err;
    }
  }
  const staticFiles = new Map<string, { body: Buffer; type: string }>([
    ["console.css", { body: await readFile(path.join(CONSOLE_PUBLIC_DIR, "console.css")), type: "text/css; charset=utf-8" }],
    ["console.js", { body: await readFile(path.join(CONSOLE_PUBLIC_DIR, "console.js")), type: "text/javascript; charset=utf-8" }],
  ]);
  await app.register(async (scope) => consolePlugin(scope, deps, staticFiles, log), { prefix: BASE });
  const enabled = deps.store.countStaff() > 0;
  if (!enabled) log.warn("console is off: no staff account and no CONSOLE_PASSWORD (npm run staff -- add <name>)");
  return { enabled };
}

async function consolePlugin(scope: FastifyInstance, deps: ConsoleDeps, staticFiles: Map<string, { body: Buffer; type: string }>, log: ConsoleDeps["logger"]) {
  const { store, config } = deps;
  const ttlMs = config.CONSOLE_SESSION_HOURS * 60 * 60 * 1000;
  const sessions = createMemorySessionStore({ ttlMs });
  scope.addHook("onClose", async () => sessions.close());

  // The resident API reads form bodies as JSON (curl -d); console forms are real form posts.
  scope.removeContentTypeParser("application/x-www-form-urlencoded");
  await scope.register(fastifyFormbody);
  await scope.register(fastifyCookie);
  await scope.register(fastifySession, {
    cookieName: SESSION_COOKIE,
    // Sessions live in memory only, so a per-process signing secret is enough.
    secret: randomBytes(32).toString("hex"),
    store: sessions,
    saveUninitialized: false,
    cookie: {
      path: BASE,
      httpOnly: true,
      sameSite: "strict",
      // "auto": Secure when the request came over https (then SameSite stays strict; over
      // plain http the plugin uses lax). Behind a TLS proxy set CONSOLE_SECURE_COOKIE=true.
      secure: config.CONSOLE_SECURE_COOKIE ?? "auto",
      maxAge: ttlMs,
    },
  });
  await scope.register(fastifyCsrf, { sessionPlugin: "@fastify/session" });

  // Wrong passwords are counted per address and per account; a stranger's failures never keep
  // the real user out of their own machine (see core/auth/sign-in-guard).
  const guard = createSignInGuard({ maxPerIp: config.CONSOLE_LOGIN_MAX_PER_IP, maxPerAccount: config.CONSOLE_LOGIN_MAX_PER_USER });

  scope.decorateRequest("consoleStaff", null);

  // Every request: console off → explain; public routes pass; otherwise a live session of an
  // enabled account whose password has not changed since sign-in, within its lifetime.
  scope.addHook("onRequest", async (request, reply) => {
    const isStatic = request.routeOptions.url?.startsWith(`${BASE}/static/`) === true;
    if (isStatic) return;
    if (store.countStaff() === 0) {
      return isApi(request) ? apiError(reply, 503, "CONSOLE_DISABLED") : sendPage(reply, consoleOffPage(), 503);
    }
    if (request.routeOptions.config?.consolePublic) return;
    const session = request.session.staff;
    const creds = session ? store.getStaffCredentials(session.username) : undefined;
    const valid = session && creds && !creds.account.disabled && hashKey(creds.passwordHash) === session.key && Date.now() - session.at < ttlMs;
    if (valid) {
      request.consoleStaff = creds.account;
      return;
    }
    if (session) {
      log.info({ staff: session.username, disabled: creds?.account.disabled ?? null }, "console session ended");
      await request.session.destroy();
    }
    if (isApi(request)) return apiError(reply, 401, "UNAUTHENTICATED");
    const params = new URLSearchParams();
    if (session) params.set("thong-bao", "het-phien");
    if (request.method === "GET") {
      const next = safeNext(request.url, "");
      if (next && next !== BASE && next !== `${BASE}/`) params.set("next", next);
    }
    const query = params.toString();
    return reply.code(303).header("Cache-Control", "no-store").redirect(`${BASE}/dang-nhap${query ? `?${query}` : ""}`, 303);
  });

  scope.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const code = (err as FastifyError).code;
    let status = 500;
    let errorCode: ConsoleErrorCode = "INTERNAL";
    let message: string | null = null;
    if (code === "FST_CSRF_INVALID_TOKEN" || code === "FST_CSRF_MISSING_SECRET") {
      status = 403;
      errorCode = "CSRF_INVALID";
    } else if (err instanceof AppError) {
      if (err.code === "INVALID_BODY") [status, errorCode] = [400, "INVALID_INPUT"];
      else if (err.code === "QUEUE_ITEM_UNKNOWN" || err.code === "NOT_FOUND") [status, errorCode] = [404, "NOT_FOUND"];
      else message = err.userMessage;
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      status = (err as FastifyError).statusCode!;
      errorCode = status === 404 ? "NOT_FOUND" : "INVALID_INPUT";
    }
    if (status >= 500) request.log.error({ err }, "console request failed");
    else request.log.debug({ code: errorCode }, "console request rejected");
    if (isApi(request)) return apiError(reply, status, errorCode, message ? { detail: message } : undefined);
    const user = request.consoleStaff ? { username: request.consoleStaff.username, csrf: reply.generateCsrf() } : null;
    const back = errorCode === "CSRF_INVALID" && !user ? `${BASE}/dang-nhap` : undefined;
    return sendPage(reply, errorPage({ title: status === 403 ? "Không thực hiện được" : "Có lỗi", message: message ?? CONSOLE_ERRORS[errorCode], user, ...(back ? { back } : {}) }), status);
  });

  scope.setNotFoundHandler((request, reply) => {
    if (isApi(request)) return apiError(reply, 404, "NOT_FOUND");
    const user = request.consoleStaff ? { username: request.consoleStaff.username, csrf: reply.generateCsrf() } : null;
    return sendPage(reply, errorPage({ title: "Không tìm thấy", message: CONSOLE_ERRORS.NOT_FOUND, user }), 404);
  });

  /* ---------- helpers bound to the request ---------- */

  const communes = () => deps.engine.knowledge.communes.all;
  const validCommune = (id: string | null | undefined): string | null => (id && communes().some((c) => c.id === id) ? id : null);
  const takeFlash = (request: FastifyRequest): Flash[] => {
    const flash = request.session.flash ?? [];
    if (flash.length) request.session.flash = [];
    return flash;
  };
  const addFlash = (request: FastifyRequest, ...flash: Flash[]) => {
    request.session.flash = [...(request.session.flash ?? []), ...flash].slice(-5);
  };
  const staffName = (request: FastifyRequest) => (request.consoleStaff as StaffAccount).username;
  const render = (request: FastifyRequest, reply: FastifyReply, input: { title: string; active: NavId; body: (csrf: string) => ReturnType<typeof html>; status?: number; flash?: Flash[] }) => {
    const csrf = reply.generateCsrf();
    const openQueue = store.listQueue({ status: "open", limit: 100 }).length;
    const flash = [...takeFlash(request), ...(input.flash ?? [])];
    return sendPage(reply, page({ title: input.title, active: input.active, user: { username: staffName(request), csrf, openQueue }, flash, body: input.body(csrf) }), input.status);
  };
  const csrf = { preHandler: scope.csrfProtection };

  /* ---------- static files and sign-in ---------- */

  for (const [name, file] of staticFiles) {
    scope.get(`/static/${name}`, { config: { consolePublic: true } }, async (_request, reply) =>
      reply.type(file.type).header("Cache-Control", "no-cache").send(file.body),
    );
  }

  scope.get("/", async (_request, reply) => reply.redirect(`${BASE}/hoi-dap`, 303));

  scope.get("/dang-nhap", { config: { consolePublic: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (request.session.staff && store.getStaffCredentials(request.session.staff.username)?.account.disabled === false) {
      return reply.redirect(safeNext(query.next, `${BASE}/hoi-dap`), 303);
    }
    const flash: Flash[] = [];
    if (query["thong-bao"] === "het-phien") flash.push({ kind: "warn", text: SIGN_IN.expired });
    if (query["thong-bao"] === "da-dang-xuat") flash.push({ kind: "ok", text: SIGN_IN.signedOut });
    return sendPage(reply, signInPage({ csrf: reply.generateCsrf(), next: safeNext(query.next, "") || null, flash }));
  });

  scope.post("/dang-nhap", { config: { consolePublic: true }, ...csrf }, async (request, reply) => {
    const body = parse(SignInBody, request.body);
    const username = body.username.trim().toLowerCase();
    const next = safeNext(body.next, "") || null;
    const again = (status: number, flash: Flash) =>
      sendPage(reply, signInPage({ csrf: reply.generateCsrf(), next, username: body.username.trim().slice(0, 32), flash: [flash] }), status);

    const account = fold(username).slice(0, 64);
    const verdict = guard.attempt(account, request.ip);
    if (!verdict.allowed) {
      log.warn({ ip: request.ip, by: verdict.by }, "console sign-in rate limited");
      const minutes = Math.max(1, Math.ceil(verdict.retryAfterMs / 60_000));
      reply.header("Retry-After", String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))));
      return again(429, { kind: "error", text: SIGN_IN.tooMany(minutes) });
    }

    const creds = username ? store.getStaffCredentials(username) : undefined;
    const ok = await verifyPassword(body.password, creds?.passwordHash);
    if (!ok || !creds) {
      log.warn({ ip: request.ip, knownUser: Boolean(creds) }, "console sign-in failed");
      return again(401, { kind: "error", text: SIGN_IN.wrong });
    }
    // The right password: not a failure, and this address's earlier failures on it are forgiven.
    guard.succeeded(account, request.ip);
    if (creds.account.disabled) {
      log.warn({ staff: username }, "console sign-in refused: account disabled");
      return again(403, { kind: "error", text: SIGN_IN.disabled });
    }
    // A new session id at sign-in: a session id planted before (fixation) is worthless.
    await request.session.regenerate();
    request.session.staff = { username, key: hashKey(creds.passwordHash), at: Date.now() };
    store.recordStaffLogin(username);
    log.info({ staff: username }, "console sign-in");
    return reply.redirect(next ?? `${BASE}/hoi-dap`, 303);
  });

  scope.post("/dang-xuat", csrf, async (request, reply) => {
    log.info({ staff: staffName(request) }, "console sign-out");
    await request.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: BASE });
    return reply.redirect(`${BASE}/dang-nhap?thong-bao=da-dang-xuat`, 303);
  });

  /* ---------- Hỏi đáp ---------- */

  const ask = async (input: z.infer<typeof AskBody>) => {
    const commune = validCommune(input.commune);
    const started = performance.now();
    // Straight to the engine: staff trying questions are not residents' messages (no stats).
    const result = await deps.engine.answer({ question: input.question, commune });
    return toPublicAnswer(result, performance.now() - started);
  };
  const communeName = (id: string | null) => (id ? (communes().find((c) => c.id === id)?.name ?? id) : null);

  scope.get("/hoi-dap", async (request, reply) =>
    render(request, reply, { title: "Hỏi đáp", active: "hoi-dap", body: (token) => askForm({ csrf: token, communes: communes(), defaultCommune: deps.engine.defaultCommune }) }),
  );
  scope.post("/hoi-dap", csrf, async (request, reply) => {
    const body = parse(AskBody, request.body);
    const answer = await ask(body);
    request.log.info({ staff: staffName(request), kind: answer.kind, confidence: answer.confidence }, "console ask");
    return render(request, reply, {
      title: "Hỏi đáp",
      active: "hoi-dap",
      body: (token) =>
        html`${askForm({ csrf: token, communes: communes(), defaultCommune: deps.engine.defaultCommune, question: body.question, commune: validCommune(body.commune) })}${answerView(answer, communeName(answer.commune))}`,
    });
  });
  scope.post("/api/ask", csrf, async (request, reply) => {
    return reply.header("Cache-Control", "no-store").send(await ask(parse(AskBody, request.body)));
  });

  /* ---------- Bản tin ---------- */

  const broadcastValues = (body: z.infer<typeof BroadcastBody>): BroadcastFormValues => ({
    topic: body.topic,
    minutes: body.minutes,
    commune: validCommune(body.commune) ?? deps.engine.defaultCommune,
  });
  const draft = async (values: BroadcastFormValues) => deps.broadcaster.draft({ topic: values.topic, minutes: values.minutes, commune: values.commune });

  scope.get("/ban-tin", async (request, reply) =>
    render(request, reply, {
      title: "Soạn bản tin phát thanh",
      active: "ban-tin",
      body: (token) => broadcastForm({ csrf: token, communes: communes(), topics: deps.broadcaster.topics, values: { topic: "", minutes: 3, commune: deps.engine.defaultCommune } }),
    }),
  );
  scope.post("/ban-tin", csrf, async (request, reply) => {
    const values = broadcastValues(parse(BroadcastBody, request.body));
    const result = await draft(values);
    request.log.info({ staff: staffName(request), ok: result.ok, minutes: values.minutes }, "console broadcast draft");
    return render(request, reply, {
      title: "Soạn bản tin phát thanh",
      active: "ban-tin",
      status: result.ok ? 200 : 422,
      ...(result.ok ? {} : { flash: [{ kind: "error", text: result.message } satisfies Flash] }),
      body: (token) =>
        html`${broadcastForm({ csrf: token, communes: communes(), topics: deps.broadcaster.topics, values })}${result.ok ? scriptView({ csrf: token, script: result.script, values, text: deps.broadcaster.toText(result.script) }) : ""}`,
    });
  });
  scope.post("/ban-tin/tai-ve", csrf, async (request, reply) => {
    const body = parse(BroadcastBody, request.body);
    const values = broadcastValues(body);
    const result = await draft(values);
    if (!result.ok) {
      addFlash(request, { kind: "error", text: result.message });
      return reply.redirect(`${BASE}/ban-tin`, 303);
    }
    const name = `ban-tin-${fold(values.topic).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "xa"}-${values.minutes}-phut`;
    const disposition = (ext: string) => `attachment; filename="${name}.${ext}"`;
    reply.header("Cache-Control", "no-store");
    if (body.format === "txt") {
      return reply.type("text/plain; charset=utf-8").header("Content-Disposition", disposition("txt")).send(deps.broadcaster.toText(result.script));
    }
    const docx = await deps.broadcaster.toDocx(result.script);
    return reply.type("application/vnd.openxmlformats-officedocument.wordprocessingml.document").header("Content-Disposition", disposition("docx")).send(docx);
  });
  scope.post("/api/broadcast", csrf, async (request, reply) => {
    const values = broadcastValues(parse(BroadcastBody, request.body));
    const result = await draft(values);
    if (!result.ok) return apiError(reply, 422, "BROADCAST_FAILED", { reason: result.reason, detail: result.message });
    return reply.header("Cache-Control", "no-store").send({ script: result.script, text: deps.broadcaster.toText(result.script) });
  });

  /* ---------- Câu hỏi chờ ---------- */

  const queueFilter = (query: Record<string, string | undefined>, keys: { status: string; channel: string }): QueueFilter => {
    const status = query[keys.status];
    const channel = query[keys.channel];
    return {
      status: status === undefined || status === "" ? "open" : (STATUSES as readonly string[]).includes(status) ? (status as QueueStatus) : null,
      channel: channel && (CHANNELS as readonly string[]).includes(channel) ? (channel as Channel) : null,
    };
  };
  const listQueue = (filter: QueueFilter) => store.listQueue({ ...(filter.status ? { status: filter.status } : {}), ...(filter.channel ? { channel: filter.channel } : {}), limit: 200 });

  const openItem = (id: number): QueueItem => {
    const item = store.getQueueItem(id);
    if (!item) throw new AppError("QUEUE_ITEM_UNKNOWN", `unknown queue item ${id}`);
    return item;
  };

  /** Who answers, as an FAQ entry cites it: the office of the item's commune (or the default one). */
  const officeOf = (item: QueueItem) => {
    const commune = communes().find((c) => c.id === (item.commune ?? deps.engine.defaultCommune));
    return commune ? `Ủy ban nhân dân xã ${commune.name}` : "Ủy ban nhân dân xã";
  };

  /**
   * Why an FAQ entry may not be made from this answer: the public question must be the staff's
   * own, without anyone's name, house number, hamlet or numbers, and the answer must not name
   * the resident. Checked before anything is sent, so a refusal changes nothing.
   */
  const faqProblem = (item: QueueItem, question: string, answer: string): ConsoleErrorCode | null => {
    const problem = checkPublicQuestion(question, item.question);
    if (problem === "missing") return "FAQ_QUESTION_MISSING";
    if (problem === "unchanged") return "FAQ_QUESTION_UNCHANGED";
    if (problem === "personal") return "FAQ_QUESTION_PERSONAL";
    return repeatsResidentDetails(answer, item.question) ? "FAQ_ANSWER_PERSONAL" : null;
  };

  /** Answers a queued question, delivers it, and optionally saves it as an FAQ entry. */
  const answerItem = async (request: FastifyRequest, id: number, body: z.infer<typeof AnswerBody>) => {
    const staff = staffName(request);
    const item = openItem(id);
    if (item.status !== "open") return { ok: false as const, reason: "closed" as const, item };
    const saveFaq = body.saveFaq !== undefined && body.saveFaq !== false;
    const question = (body.faqQuestion ?? "").normalize("NFC").replace(/\s+/g, " ").trim();
    const problem = saveFaq ? faqProblem(item, question, body.answer) : null;
    if (problem) {
      request.log.info({ staff, id, code: problem }, "console FAQ entry refused");
      return { ok: false as const, reason: "faq" as const, code: problem, item };
    }
    const { item: answered, delivered } = await deps.assistant.answerQueued(id, body.answer, staff);
    request.log.info({ staff, id, channel: item.channel, delivered }, "console queue answered");
    let faq: { saved: boolean; file?: string; error?: string } | null = null;
    if (saveFaq) {
      try {
        const { file } = await deps.saveStaffFaq({ question, answer: body.answer, staff, office: officeOf(item) });
        faq = { saved: true, file };
        request.log.info({ staff, id }, "console FAQ entry saved");
      } catch (err) {
        faq = { saved: false, error: err instanceof AppError ? `${err.userMessage} ${err.message}` : "lỗi không rõ" };
        request.log.warn({ err, staff, id }, "console FAQ entry not saved");
      }
    }
    return { ok: true as const, item: answered, delivered, faq };
  };

  scope.get("/cau-hoi-cho", async (request, reply) => {
    const filter = queueFilter(request.query as Record<string, string | undefined>, { status: "trang-thai", channel: "kenh" });
    const items = listQueue(filter);
    return render(request, reply, { title: "Câu hỏi chờ cán bộ", active: "cau-hoi-cho", body: (token) => queueBody({ items, filter, csrf: token, communes: communes() }) });
  });
  scope.post("/cau-hoi-cho/:id/tra-loi", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const body = parse(AnswerBody, request.body);
    const back = safeNext(body.back, queueHref({ status: "open", channel: null }));
    const outcome = await answerItem(request, id, body);
    if (!outcome.ok && outcome.reason === "faq") {
      // Shown again as typed, with the reason next to the question, so nothing is lost.
      const filter = queueFilter(Object.fromEntries(new URL(back, "http://console").searchParams), { status: "trang-thai", channel: "kenh" });
      const items = listQueue(filter);
      const error = CONSOLE_ERRORS[outcome.code];
      const draft: AnswerDraft = { id, answer: body.answer, faqQuestion: body.faqQuestion ?? "", saveFaq: true, error };
      const shown = items.some((i) => i.id === id) ? items : [outcome.item, ...items];
      return render(request, reply, {
        title: "Câu hỏi chờ cán bộ",
        active: "cau-hoi-cho",
        status: 422,
        flash: [{ kind: "error", text: `Câu hỏi #${id}: ${error}` }],
        body: (token) => queueBody({ items: shown, filter, csrf: token, communes: communes(), draft }),
      });
    }
    if (!outcome.ok) {
      addFlash(request, { kind: "warn", text: `Câu hỏi #${id}: ${CONSOLE_ERRORS.QUEUE_ITEM_CLOSED}` });
      return reply.redirect(back, 303);
    }
    const channel = CHANNEL_LABELS[outcome.item.channel];
    addFlash(
      request,
      outcome.delivered
        ? { kind: "ok", text: `Câu hỏi #${id}: đã gửi câu trả lời cho người dân qua ${channel}.` }
        : { kind: "warn", text: `Câu hỏi #${id}: đã lưu câu trả lời nhưng chưa gửi được cho người dân qua ${channel} (người dân chưa nhắn lại, hoặc kênh chưa bật). Trợ lý sẽ gửi lại khi người dân nhắn tiếp.` },
    );
    if (outcome.faq?.saved) addFlash(request, { kind: "ok", text: "Đã lưu thành mục hỏi đáp của xã; trợ lý dùng ngay cho câu hỏi sau." });
    if (outcome.faq && !outcome.faq.saved) addFlash(request, { kind: "error", text: `Chưa lưu được mục hỏi đáp: ${outcome.faq.error ?? ""}` });
    return reply.redirect(back, 303);
  });
  scope.post("/cau-hoi-cho/:id/dong", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const { back } = parse(BackBody, request.body);
    const item = openItem(id);
    if (item.status === "open") {
      store.closeQueueItem(id, staffName(request));
      request.log.info({ staff: staffName(request), id }, "console queue closed");
      addFlash(request, { kind: "ok", text: `Đã đóng câu hỏi #${id}.` });
    } else {
      addFlash(request, { kind: "warn", text: `Câu hỏi #${id}: ${CONSOLE_ERRORS.QUEUE_ITEM_CLOSED}` });
    }
    return reply.redirect(safeNext(back, queueHref({ status: "open", channel: null })), 303);
  });
  scope.get("/api/queue", async (request, reply) => {
    const filter = queueFilter(request.query as Record<string, string | undefined>, { status: "status", channel: "channel" });
    // The raw chat address is for delivery only; it never leaves the server.
    const items = listQueue(filter).map(({ deliveryAddress: _a, userKey: _k, ...rest }) => ({ ...rest, ...(rest.status === "open" ? { faqSuggestion: faqSuggestion(rest) } : {}) }));
    return reply.header("Cache-Control", "no-store").send({ items });
  });
  scope.post("/api/queue/:id/answer", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const outcome = await answerItem(request, id, parse(AnswerBody, request.body));
    if (!outcome.ok) return outcome.reason === "faq" ? apiError(reply, 422, outcome.code) : apiError(reply, 409, "QUEUE_ITEM_CLOSED");
    const { deliveryAddress: _a, userKey: _k, ...item } = outcome.item;
    return reply.header("Cache-Control", "no-store").send({ item, delivered: outcome.delivered, faq: outcome.faq });
  });
  scope.post("/api/queue/:id/close", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    if (openItem(id).status !== "open") return apiError(reply, 409, "QUEUE_ITEM_CLOSED");
    const { deliveryAddress: _a, userKey: _k, ...item } = store.closeQueueItem(id, staffName(request));
    return reply.header("Cache-Control", "no-store").send({ item });
  });

  /* ---------- Thống kê ---------- */

  const statsDays = (value: string | undefined) => {
    const n = Number(value);
    return (DAY_CHOICES as readonly number[]).includes(n) ? n : 30;
  };
  scope.get("/thong-ke", async (request, reply) => {
    const stats = store.stats({ days: statsDays((request.query as Record<string, string | undefined>).ngay), top: 10 });
    return render(request, reply, { title: "Thống kê", active: "thong-ke", body: () => statsBody({ stats, docs: deps.engine.knowledge.docs }) });
  });
  scope.get("/api/stats", async (request, reply) => {
    const stats = store.stats({ days: statsDays((request.query as Record<string, string | undefined>).days), top: 10 });
    return reply.header("Cache-Control", "no-store").send(stats);
  });

  /* ---------- Tri thức ---------- */

  let reindexStatus: ReindexStatus = { state: "idle", phase: null, done: 0, total: 0, startedAt: null, finishedAt: null, startedBy: null, result: null, error: null };
  const startReindex = (staff: string): ReindexStatus => {
    if (reindexStatus.state === "running") return reindexStatus;
    reindexStatus = { state: "running", phase: null, done: 0, total: 0, startedAt: new Date().toISOString(), finishedAt: null, startedBy: staff, result: null, error: null };
    log.info({ staff }, "console re-index started");
    deps
      .reindex((p) => {
        if (reindexStatus.state === "running") reindexStatus = { ...reindexStatus, phase: p.phase, done: p.done, total: p.total };
      })
      .then(
        (result) => {
          reindexStatus = { ...reindexStatus, state: "done", result, finishedAt: new Date().toISOString(), done: reindexStatus.total, error: null };
        },
        (err: unknown) => {
          const error = err instanceof AppError ? `${err.userMessage} ${err.message}` : "lỗi không rõ";
          reindexStatus = { ...reindexStatus, state: "failed", finishedAt: new Date().toISOString(), error };
          log.warn({ err, staff }, "console re-index failed");
        },
      );
    return reindexStatus;
  };
  const statusJson = () => ({ ...reindexStatus, message: reindexMessage(reindexStatus) });

  scope.get("/tri-thuc", async (request, reply) => {
    const { knowledge, index } = deps.engine;
    return render(request, reply, {
      title: "Tri thức",
      active: "tri-thuc",
      body: (token) => knowledgeBody({ docs: knowledge.docs, chunks: knowledge.chunks.length, manifest: index.manifest, status: reindexStatus, csrf: token }),
    });
  });
  scope.post("/tri-thuc/lap-chi-muc", csrf, async (request, reply) => {
    startReindex(staffName(request));
    return reply.redirect(`${BASE}/tri-thuc`, 303);
  });
  scope.get("/api/knowledge", async (_request, reply) => {
    const { knowledge, index } = deps.engine;
    return reply.header("Cache-Control", "no-store").send({
      documents: knowledge.docs.map((d) => ({ id: d.meta.id, path: d.path, title: d.meta.title, kind: d.meta.kind, asOf: d.meta.as_of, topics: d.meta.topics, sources: d.meta.source })),
      chunks: knowledge.chunks.length,
      index: index.manifest,
    });
  });
  scope.get("/api/reindex", async (_request, reply) => reply.header("Cache-Control", "no-store").send(statusJson()));
  scope.post("/api/reindex", csrf, async (request, reply) => {
    startReindex(staffName(request));
    return reply.code(202).header("Cache-Control", "no-store").send(statusJson());
  });

}
