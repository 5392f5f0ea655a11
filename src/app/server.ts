/**
 * Builders of the HTTP side (composition root, see src/app/service.ts): the Fastify server with
 * the public API and chat page, the routes the channels and the console mount on it, and the
 * /healthz report gathered from the parts (server/http.ts imports none of them).
 */
import type { FastifyInstance } from "fastify";
import type { ZaloChannel } from "../channels/zalo/channel.js";
import { registerConsole } from "../channels/web/console/index.js";
import type { ConsoleConfig, KnowledgeConfig, ServerConfig } from "../config.js";
import type { Assistant } from "../core/assistant.js";
import { broadcastToDocx, broadcastToText, type Broadcaster } from "../core/broadcast/index.js";
import { TOPIC_PROFILES } from "../core/broadcast/topics.js";
import type { Store } from "../core/store.js";
import type { Logger } from "../logger.js";
import { createHttpServer, type HttpEngine, type IndexHealth, type ServiceHealth } from "../server/http.js";
import type { LiveKnowledge } from "./knowledge.js";

/** Mounts routes on the server before it listens (a channel's webhook, the console). */
export type Mount = (app: FastifyInstance) => void | Promise<void>;

/**
 * The HTTP server with `mounts` applied, not yet listening. Web-chat answers are recorded for the
 * console's statistics under one pseudonymous "web" user, without question text (web visitors
 * are anonymous and give no consent, so the store drops it).
 */
export async function buildServer(
  config: ServerConfig,
  deps: { readonly engine: HttpEngine; readonly store: Store; readonly logger: Logger; readonly health: () => Promise<ServiceHealth>; readonly mounts: readonly Mount[] },
): Promise<FastifyInstance> {
  const { store } = deps;
  const webVisitor = store.ensureUser("web", "web-chat").key;
  const app = await createHttpServer({
    engine: deps.engine,
    logger: deps.logger,
    apiRateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    health: deps.health,
    recordAnswer: (question, result, ms) => {
      store.recordMessage({
        userKey: webVisitor,
        channel: "web",
        question,
        kind: result.kind,
        confidence: result.confidence,
        commune: result.commune,
        sources: result.sources.map((s) => s.id),
        latencyMs: Math.round(ms),
      });
    },
  });
  for (const mount of deps.mounts) await mount(app);
  return app;
}

/** Starts listening on HOST:PORT; returns the port actually bound (PORT=0 picks a free one). */
export async function listen(app: FastifyInstance, config: ServerConfig): Promise<number> {
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : config.PORT;
}

/** The officials' console under /console (off, with a page saying how to turn it on, until a staff account exists). */
export function consoleMount(
  config: { readonly console: ConsoleConfig; readonly knowledge: KnowledgeConfig },
  deps: { readonly knowledge: LiveKnowledge; readonly store: Store; readonly assistant: Assistant; readonly broadcaster: Broadcaster; readonly logger: Logger },
): Mount {
  return async (app) => {
    const { knowledge } = deps;
    const state = await registerConsole(app, {
      config: { ...config.console, COMMUNE: config.knowledge.COMMUNE, KNOWLEDGE_DIR: config.knowledge.KNOWLEDGE_DIR },
      logger: deps.logger,
      store: deps.store,
      assistant: deps.assistant,
      engine: knowledge.engine,
      reindex: (onProgress) => knowledge.reindex(onProgress),
      saveStaffFaq: (input) => knowledge.saveStaffFaq(input),
      broadcaster: { ...deps.broadcaster, toText: broadcastToText, toDocx: broadcastToDocx, topics: TOPIC_PROFILES.map((t) => t.title) },
    });
    deps.logger.info({ route: "/console", enabled: state.enabled }, "console ready");
  };
}

/** What /healthz reports beyond the HTTP layer: the database, the index files and each channel. */
export function serviceHealth(parts: {
  readonly store: Store;
  readonly index: () => Promise<IndexHealth>;
  readonly telegram: () => { readonly mode: "off" | "polling" | "webhook"; readonly connected: boolean };
  readonly zalo: ZaloChannel | null;
}): () => Promise<ServiceHealth> {
  return async () => {
    const { store, zalo } = parts;
    const database = store.health();
    let zaloState: ServiceHealth["channels"]["zalo"] = { state: "off" };
    if (zalo) {
      const t = database.ok ? zalo.client.tokenStatus() : null;
      zaloState = {
        state: "on",
        ...(t ? { tokens: { hasAccessToken: t.hasAccessToken, canRefresh: t.canRefresh, expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString() } } : {}),
        pendingJobs: zalo.pending(),
      };
    }
    const telegram = parts.telegram();
    const consoleOn = database.ok && store.countStaff() > 0;
    return {
      database,
      index: await parts.index(),
      channels: { telegram: { state: telegram.mode, connected: telegram.connected }, zalo: zaloState, console: { state: consoleOn ? "on" : "off" } },
    };
  };
}
