/**
 * The officials' console under /console: staff sign-in (server-side sessions, CSRF tokens,
 * rate-limited sign-in), and the pages Hỏi đáp, Bản tin, Câu hỏi chờ, Thống kê, Tri thức, each
 * with a small JSON API under /console/api. Everything is server-rendered HTML with one static
 * CSS and one static JS file (no inline script or style, no external request).
 *
 * One module per area under routes/ (access, sign-in, ask, broadcast, queue, stats, knowledge),
 * each given only the ports and services it uses; the HTML is built in pages/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { hashPassword } from "../../../core/auth/password.js";
import { AppError } from "../../../core/errors.js";
import type { ConsoleDeps } from "./deps.js";
import { BASE } from "./layout.js";
import { registerAccess } from "./routes/access.js";
import { registerAskRoutes } from "./routes/ask.js";
import { registerBroadcastRoutes } from "./routes/broadcast.js";
import { createRouteKit } from "./routes/kit.js";
import { registerKnowledgeRoutes } from "./routes/knowledge.js";
import { registerQueueRoutes } from "./routes/queue.js";
import { registerSignInRoutes } from "./routes/sign-in.js";
import { registerStatsRoutes } from "./routes/stats.js";

export type { ConsoleDeps, ConsoleStore } from "./deps.js";
export { SESSION_COOKIE } from "./routes/http.js";

/** Where console.css and console.js live (no build step). */
export const CONSOLE_PUBLIC_DIR = path.resolve(import.meta.dirname, "public");

type StaticFiles = ReadonlyMap<string, { readonly body: Buffer; readonly type: string }>;

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
  const staticFiles: StaticFiles = new Map([
    ["console.css", { body: await readFile(path.join(CONSOLE_PUBLIC_DIR, "console.css")), type: "text/css; charset=utf-8" }],
    ["console.js", { body: await readFile(path.join(CONSOLE_PUBLIC_DIR, "console.js")), type: "text/javascript; charset=utf-8" }],
  ]);
  await app.register(async (scope) => consolePlugin(scope, deps, staticFiles, log), { prefix: BASE });
  const enabled = deps.store.countStaff() > 0;
  if (!enabled) log.warn("console is off: no staff account and no CONSOLE_PASSWORD (npm run staff -- add <name>)");
  return { enabled };
}

/** The console's routes, in one encapsulated scope under /console. */
async function consolePlugin(scope: FastifyInstance, deps: ConsoleDeps, staticFiles: StaticFiles, log: ConsoleDeps["logger"]) {
  const { store, config, engine } = deps;
  await registerAccess(scope, { staff: store, config, log });
  const kit = createRouteKit(scope, { queue: store, engine });
  registerSignInRoutes(kit, { staff: store, config, log, staticFiles });
  registerAskRoutes(kit, { engine });
  registerBroadcastRoutes(kit, { broadcaster: deps.broadcaster, engine });
  registerQueueRoutes(kit, { queue: store, assistant: deps.assistant, saveStaffFaq: deps.saveStaffFaq, engine });
  registerStatsRoutes(kit, { statistics: store, engine });
  registerKnowledgeRoutes(kit, { engine, reindex: deps.reindex, log });
}
