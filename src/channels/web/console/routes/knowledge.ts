/**
 * "Tri thức": the knowledge documents and the vector index in use, and a re-index started by
 * staff (one at a time, in the background; its progress is polled by the page).
 */
import type { Logger } from "pino";
import { AppError } from "../../../../core/errors.js";
import type { ConsoleDeps } from "../deps.js";
import { BASE } from "../layout.js";
import { knowledgeBody, reindexMessage, type ReindexStatus } from "../pages/knowledge.js";
import type { RouteKit } from "./kit.js";

export interface KnowledgeRouteDeps {
  readonly engine: Pick<ConsoleDeps["engine"], "knowledge" | "index">;
  readonly reindex: ConsoleDeps["reindex"];
  readonly log: Logger;
}

/** The re-index in progress or last run, shared by the page and the JSON API. */
function createReindexer({ reindex, log }: KnowledgeRouteDeps) {
  let status: ReindexStatus = { state: "idle", phase: null, done: 0, total: 0, startedAt: null, finishedAt: null, startedBy: null, result: null, error: null };
  const start = (staff: string): ReindexStatus => {
    if (status.state === "running") return status;
    status = { state: "running", phase: null, done: 0, total: 0, startedAt: new Date().toISOString(), finishedAt: null, startedBy: staff, result: null, error: null };
    log.info({ staff }, "console re-index started");
    reindex((p) => {
      if (status.state === "running") status = { ...status, phase: p.phase, done: p.done, total: p.total };
    }).then(
      (result) => {
        status = { ...status, state: "done", result, finishedAt: new Date().toISOString(), done: status.total, error: null };
      },
      (err: unknown) => {
        const error = err instanceof AppError ? `${err.userMessage} ${err.message}` : "lỗi không rõ";
        status = { ...status, state: "failed", finishedAt: new Date().toISOString(), error };
        log.warn({ err, staff }, "console re-index failed");
      },
    );
    return status;
  };
  return { start, status: () => status, json: () => ({ ...status, message: reindexMessage(status) }) };
}

export function registerKnowledgeRoutes(kit: RouteKit, deps: KnowledgeRouteDeps): void {
  const { scope, csrf, render, staffName } = kit;
  const { engine } = deps;
  const reindexer = createReindexer(deps);

  scope.get("/tri-thuc", async (request, reply) => {
    const { knowledge, index } = engine;
    return render(request, reply, {
      title: "Tri thức",
      active: "tri-thuc",
      body: (token) => knowledgeBody({ docs: knowledge.docs, chunks: knowledge.chunks.length, manifest: index.manifest, status: reindexer.status(), csrf: token }),
    });
  });
  scope.post("/tri-thuc/lap-chi-muc", csrf, async (request, reply) => {
    reindexer.start(staffName(request));
    return reply.redirect(`${BASE}/tri-thuc`, 303);
  });
  scope.get("/api/knowledge", async (_request, reply) => {
    const { knowledge, index } = engine;
    return reply.header("Cache-Control", "no-store").send({
      documents: knowledge.docs.map((d) => ({ id: d.meta.id, path: d.path, title: d.meta.title, kind: d.meta.kind, asOf: d.meta.as_of, topics: d.meta.topics, sources: d.meta.source })),
      chunks: knowledge.chunks.length,
      index: index.manifest,
    });
  });
  scope.get("/api/reindex", async (_request, reply) => reply.header("Cache-Control", "no-store").send(reindexer.json()));
  scope.post("/api/reindex", csrf, async (request, reply) => {
    reindexer.start(staffName(request));
    return reply.code(202).header("Cache-Control", "no-store").send(reindexer.json());
  });
}
