/**
 * Who may use the console: in-memory server-side sessions with CSRF tokens, the check every
 * request passes (console on, a live session of an enabled account whose password has not
 * changed), and the error and not-found pages (HTML, or JSON under /console/api).
 */
import { randomBytes } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifySession from "@fastify/session";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { AppError } from "../../../../core/errors.js";
import type { StaffAccount, StaffAccounts } from "../../../../core/store.js";
import type { ConsoleConfig } from "../deps.js";
import { BASE, type Flash } from "../layout.js";
import { consoleOffPage, errorPage } from "../pages/sign-in.js";
import { createMemorySessionStore } from "../session-store.js";
import { CONSOLE_ERRORS, type ConsoleErrorCode } from "../texts.js";
import { apiError, hashKey, isApi, safeNext, sendPage, SESSION_COOKIE } from "./http.js";

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

export interface AccessDeps {
  readonly staff: StaffAccounts;
  readonly config: Pick<ConsoleConfig, "CONSOLE_SECURE_COOKIE" | "CONSOLE_SESSION_HOURS">;
  readonly log: Logger;
}

/** Registers sessions, CSRF protection, the per-request access check and the error pages on the console's scope. */
export async function registerAccess(scope: FastifyInstance, deps: AccessDeps): Promise<void> {
  const ttlMs = deps.config.CONSOLE_SESSION_HOURS * 60 * 60 * 1000;
  await registerSessions(scope, ttlMs, deps.config.CONSOLE_SECURE_COOKIE);
  scope.decorateRequest("consoleStaff", null);
  scope.addHook("onRequest", accessCheck(deps, ttlMs));
  scope.setErrorHandler(errorHandler);
  scope.setNotFoundHandler((request, reply) => {
    if (isApi(request)) return apiError(reply, 404, "NOT_FOUND");
    const user = request.consoleStaff ? { username: request.consoleStaff.username, csrf: reply.generateCsrf() } : null;
    return sendPage(reply, errorPage({ title: "Không tìm thấy", message: CONSOLE_ERRORS.NOT_FOUND, user }), 404);
  });
}

async function registerSessions(scope: FastifyInstance, ttlMs: number, secureCookie: ConsoleConfig["CONSOLE_SECURE_COOKIE"]): Promise<void> {
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
      secure: secureCookie ?? "auto",
      maxAge: ttlMs,
    },
  });
  await scope.register(fastifyCsrf, { sessionPlugin: "@fastify/session" });
}

/**
 * Every request: console off → explain; public routes pass; otherwise a live session of an
 * enabled account whose password has not changed since sign-in, within its lifetime.
 */
function accessCheck({ staff, log }: AccessDeps, ttlMs: number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const isStatic = request.routeOptions.url?.startsWith(`${BASE}/static/`) === true;
    if (isStatic) return;
    if (staff.countStaff() === 0) {
      return isApi(request) ? apiError(reply, 503, "CONSOLE_DISABLED") : sendPage(reply, consoleOffPage(), 503);
    }
    if (request.routeOptions.config?.consolePublic) return;
    const session = request.session.staff;
    const creds = session ? staff.getStaffCredentials(session.username) : undefined;
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
  };
}

function errorHandler(err: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
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
}
