/** The console's static files, sign-in (rate-limited per address and per account) and sign-out. */
import type { Logger } from "pino";
import { z } from "zod/v4";
import { verifyPassword } from "../../../../core/auth/password.js";
import { createSignInGuard } from "../../../../core/auth/sign-in-guard.js";
import type { StaffAccounts } from "../../../../core/store.js";
import { fold } from "../../../../core/text/normalize.js";
import type { ConsoleConfig } from "../deps.js";
import { BASE, type Flash } from "../layout.js";
import { signInPage } from "../pages/sign-in.js";
import { SIGN_IN } from "../texts.js";
import { hashKey, parse, safeNext, sendPage, SESSION_COOKIE } from "./http.js";
import type { RouteKit } from "./kit.js";

const SignInBody = z.object({ username: z.string().max(64).default(""), password: z.string().max(256).default(""), next: z.string().max(300).optional() });

export interface SignInDeps {
  readonly staff: StaffAccounts;
  readonly config: Pick<ConsoleConfig, "CONSOLE_LOGIN_MAX_PER_IP" | "CONSOLE_LOGIN_MAX_PER_USER">;
  readonly log: Logger;
  /** console.css and console.js, served under /console/static/. */
  readonly staticFiles: ReadonlyMap<string, { readonly body: Buffer; readonly type: string }>;
}

export function registerSignInRoutes(kit: RouteKit, deps: SignInDeps): void {
  const { scope, csrf } = kit;
  const { staff, log } = deps;
  // Wrong passwords are counted per address and per account; a stranger's failures never keep
  // the real user out of their own machine (see core/auth/sign-in-guard).
  const guard = createSignInGuard({ maxPerIp: deps.config.CONSOLE_LOGIN_MAX_PER_IP, maxPerAccount: deps.config.CONSOLE_LOGIN_MAX_PER_USER });

  for (const [name, file] of deps.staticFiles) {
    scope.get(`/static/${name}`, { config: { consolePublic: true } }, async (_request, reply) =>
      reply.type(file.type).header("Cache-Control", "no-cache").send(file.body),
    );
  }

  scope.get("/", async (_request, reply) => reply.redirect(`${BASE}/hoi-dap`, 303));

  scope.get("/dang-nhap", { config: { consolePublic: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (request.session.staff && staff.getStaffCredentials(request.session.staff.username)?.account.disabled === false) {
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

    const creds = username ? staff.getStaffCredentials(username) : undefined;
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
    staff.recordStaffLogin(username);
    log.info({ staff: username }, "console sign-in");
    return reply.redirect(next ?? `${BASE}/hoi-dap`, 303);
  });

  scope.post("/dang-xuat", csrf, async (request, reply) => {
    log.info({ staff: kit.staffName(request) }, "console sign-out");
    await request.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: BASE });
    return reply.redirect(`${BASE}/dang-nhap?thong-bao=da-dang-xuat`, 303);
  });
}
