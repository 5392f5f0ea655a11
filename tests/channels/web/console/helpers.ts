/**
 * Console test helpers: start the real service on 127.0.0.1 with a fresh data directory (and, when
 * asked, a temporary copy of the knowledge folder), and a small HTTP client that keeps cookies
 * the way a browser does and never follows redirects on its own.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createConfig } from "../../../../src/config.js";
import { createLogger } from "../../../../src/logger.js";
import { startService, type Service, type ServiceOptions } from "../../../../src/app/service.js";
import { KNOWLEDGE_DIR } from "../../../helpers/engine.js";

export const ADMIN_PASSWORD = "mat-khau-thu-nghiem-1";

export interface ConsoleTestService {
  readonly service: Service;
  readonly base: string;
  readonly dataDir: string;
  readonly knowledgeDir: string;
  stop(): Promise<void>;
}

/** Starts the service with CONSOLE_PASSWORD set (unless overridden) and generous sign-in limits. */
export async function startConsoleService(
  env: Record<string, string> = {},
  options: { copyKnowledge?: boolean; service?: ServiceOptions } = {},
): Promise<ConsoleTestService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-console-"));
  let knowledgeDir = KNOWLEDGE_DIR;
  if (options.copyKnowledge) {
    // Tests that write knowledge (FAQ entries) work on a copy: never on the repository's folder.
    knowledgeDir = path.join(dataDir, "knowledge");
    await cp(KNOWLEDGE_DIR, knowledgeDir, { recursive: true });
  }
  const config = createConfig({
    KNOWLEDGE_DIR: knowledgeDir,
    DATA_DIR: path.join(dataDir, "data"),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    CONSOLE_PASSWORD: ADMIN_PASSWORD,
    CONSOLE_LOGIN_MAX_PER_IP: "1000",
    CONSOLE_LOGIN_MAX_PER_USER: "100",
    ...env,
  });
  const service = await startService(config, createLogger("silent"), options.service ?? {});
  return {
    service,
    base: `http://127.0.0.1:${service.port}`,
    dataDir: path.join(dataDir, "data"),
    knowledgeDir,
    async stop() {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Client {
  readonly cookies: Map<string, string>;
  get(pathname: string, headers?: Record<string, string>): Promise<Response>;
  /** A form post (application/x-www-form-urlencoded), like a browser submitting a form. */
  postForm(pathname: string, form: Record<string, string>): Promise<Response>;
  postJson(pathname: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** `headers` go with every request (e.g. `x-forwarded-for` to act as another address behind a trusted proxy). */
export function createClient(base: string, headers: Record<string, string> = {}): Client {
  const cookies = new Map<string, string>();
  const request = async (pathname: string, init: RequestInit): Promise<Response> => {
    const all = new Headers(headers);
    for (const [name, value] of new Headers(init.headers)) all.set(name, value);
    if (cookies.size) all.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(new URL(pathname, base), { ...init, headers: all, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  return {
    cookies,
    get: (pathname, headers = {}) => request(pathname, { method: "GET", headers }),
    postForm: (pathname, form) =>
      request(pathname, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }),
    postJson: (pathname, body, headers = {}) =>
      request(pathname, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
  };
}

/** The CSRF token of a page: the sign-in form's hidden field or the signed-in pages' meta tag. */
export function csrfOf(html: string): string {
  const m = /name="csrf-token" content="([^"]+)"/.exec(html) ?? /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error("no CSRF token in page");
  return m[1];
}

/** Signs in through the real form; returns the sign-in POST response. */
export async function signIn(client: Client, username: string, password: string, next?: string): Promise<Response> {
  const form = await client.get(`/console/dang-nhap${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  const token = csrfOf(await form.text());
  return client.postForm("/console/dang-nhap", { _csrf: token, username, password, ...(next ? { next } : {}) });
}

/** A signed-in client and a fresh CSRF token from one of its pages. */
export async function signedIn(base: string, username = "admin", password = ADMIN_PASSWORD): Promise<{ client: Client; csrf: string }> {
  const client = createClient(base);
  const res = await signIn(client, username, password);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const page = await client.get("/console/hoi-dap");
  return { client, csrf: csrfOf(await page.text()) };
}
