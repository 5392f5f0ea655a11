/**
 * The live knowledge of the running service (composition root, see src/app/service.ts): ONE
 * accessor, `current()`, returns the engine, the communes and the guided flows of one knowledge
 * build. A re-index builds the next engine and flows aside and installs all three in a single
 * assignment, so every reader (assistant, HTTP API, console, Telegram's /xa, Zalo's commune list)
 * sees wholly the old or wholly the new knowledge, never a value captured at start.
 */
import path from "node:path";
import type { ProgressReporter } from "../core/ports.js";
import type { CommuneDirectory } from "../core/knowledge/communes.js";
import { createFlows, createKnowledgeLookup, type Flow } from "../core/flows/index.js";
import type { Logger } from "../logger.js";
import type { IndexHealth } from "../server/http.js";
import { appendStaffFaq, replaceFile } from "../storage/staff-faq.js";
import { buildEngine, type Engine, type EngineIndex, type EngineSettings } from "./engine.js";

/**
 * When /healthz finds the saved index damaged (or a rebuilt one unsaved), the service rebuilds it
 * in the background (a re-index), at most once per this many ms while the problem lasts.
 */
export const INDEX_REPAIR_RETRY_MS = 60_000;

/** One knowledge build: the engine and what channels show from the same knowledge. */
export interface KnowledgeSnapshot {
  readonly engine: Engine;
  readonly communes: CommuneDirectory;
  readonly flows: readonly Flow[];
}

/** What a re-index did. */
export interface ReindexResult {
  readonly documents: number;
  readonly chunks: number;
  readonly rebuilt: boolean;
  readonly ms: number;
}

export interface StaffFaqRequest {
  readonly question: string;
  readonly answer: string;
  readonly staff: string;
  readonly office: string;
}

export interface LiveKnowledge {
  /** The knowledge in use now; read it on every use (channels get this function, not its value). */
  current(): KnowledgeSnapshot;
  /** An engine forwarding every call to `current().engine`. */
  readonly engine: Engine;
  /** Re-reads the knowledge folder and rebuilds the index without a restart (single-flight). */
  reindex(onProgress?: ProgressReporter): Promise<ReindexResult>;
  /** Appends a staff answer to the officials' FAQ file and re-indexes; the file is restored if that fails. */
  saveStaffFaq(input: StaffFaqRequest): Promise<{ file: string }>;
  /** The saved index files (for /healthz); a damaged or unsaved index starts a background repair. */
  indexHealth(): Promise<IndexHealth>;
  /** Resolves when no re-index or FAQ write is under way, or after `ms` (shutdown). */
  settle(ms: number): Promise<void>;
}

/** Logs what opening the index found: damaged files that were rebuilt, a rebuild that is not saved. */
function logIndexState(logger: Logger, index: EngineIndex): void {
  if (index.damage) logger.warn({ damage: index.damage }, "the saved vector index was damaged; rebuilt it from the knowledge folder");
  if (index.unsaved) {
    logger.error({ reason: index.unsaved }, "the rebuilt vector index could not be saved; answering from memory, /healthz answers 503 until it is saved");
  }
}

function snapshotOf(engine: Engine): KnowledgeSnapshot {
  return { engine, communes: engine.knowledge.communes, flows: createFlows(createKnowledgeLookup(engine.knowledge.chunks)) };
}

/** An engine that reads `current()` on every call and property access. */
function forwardingEngine(current: () => Engine): Engine {
  return {
    answer: (request) => current().answer(request),
    answerDefault: (request) => current().answerDefault(request),
    get knowledge() {
      return current().knowledge;
    },
    get index() {
      return current().index;
    },
    get defaultCommune() {
      return current().defaultCommune;
    },
    get retriever() {
      return current().retriever;
    },
    get searcher() {
      return current().searcher;
    },
    get llm() {
      return current().llm;
    },
  };
}

/** Builds the first engine (logging what it loaded) and the live accessor around it. */
export async function buildLiveKnowledge(settings: EngineSettings, logger: Logger): Promise<LiveKnowledge> {
  const first = await buildEngine(settings, {
    onProgress: ({ phase, done, total }) => {
      if (done === total) logger.info({ phase, total }, "knowledge index step done");
    },
  });
  logger.info(
    { documents: first.knowledge.docs.length, chunks: first.knowledge.chunks.length, rebuilt: first.index.rebuilt, embedder: first.index.manifest.embedder, llm: first.llm?.model.id ?? "none", commune: first.defaultCommune },
    "knowledge loaded",
  );
  logIndexState(logger, first.index);
  let snapshot = snapshotOf(first);

  // The next engine and flows are built aside and installed together only when both succeed;
  // until then, and on failure, the old ones serve.
  let reindexing: Promise<ReindexResult> | null = null;
  const reindex = (onProgress?: ProgressReporter): Promise<ReindexResult> => {
    reindexing ??= (async () => {
      const started = performance.now();
      const next = snapshotOf(await buildEngine(settings, onProgress ? { onProgress } : {}));
      snapshot = next;
      const { knowledge, index } = next.engine;
      const result = { documents: knowledge.docs.length, chunks: knowledge.chunks.length, rebuilt: index.rebuilt, ms: Math.round(performance.now() - started) };
      logger.info(result, "knowledge re-indexed");
      logIndexState(logger, index);
      return result;
    })().finally(() => {
      reindexing = null;
    });
    return reindexing;
  };

  let faqWrites: Promise<unknown> = Promise.resolve();
  const saveStaffFaq = (input: StaffFaqRequest): Promise<{ file: string }> => {
    // One write at a time: each appends to the file the previous one left.
    const run = faqWrites.then(async () => {
      const { file, previous } = await appendStaffFaq(path.resolve(settings.knowledge.KNOWLEDGE_DIR), { ...input, date: new Date() });
      try {
        await reindex();
      } catch (err) {
        // The new entry broke the file (or the index): put the file back as it was.
        await replaceFile(file, previous);
        throw err;
      }
      logger.info({ staff: input.staff }, "staff FAQ entry saved");
      return { file };
    });
    faqWrites = run.catch(() => undefined);
    return run;
  };

  // Damaged index files are rebuilt in the background by a re-index, which never loads them: the
  // engine in use keeps answering from memory meanwhile, and /healthz answers 503 until it is done.
  let lastRepairAt = Number.NEGATIVE_INFINITY;
  const repairIndex = (problem: string | null) => {
    if (reindexing || Date.now() - lastRepairAt < INDEX_REPAIR_RETRY_MS) return;
    lastRepairAt = Date.now();
    logger.error({ problem }, "the saved vector index is damaged or not saved; rebuilding it from the knowledge folder");
    reindex().catch((err: unknown) =>
      logger.error({ err, problem }, `the vector index could not be rebuilt; /healthz answers 503; retrying in ${INDEX_REPAIR_RETRY_MS / 1000} s`),
    );
  };

  return {
    current: () => snapshot,
    engine: forwardingEngine(() => snapshot.engine),
    reindex,
    saveStaffFaq,
    async indexHealth() {
      const integrity = await snapshot.engine.index.check();
      if (!integrity.ok) repairIndex(integrity.problem);
      return { ...integrity, repairing: reindexing !== null };
    },
    async settle(ms) {
      await Promise.race([Promise.all([reindexing?.catch(() => undefined), faqWrites]), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    },
  };
}
