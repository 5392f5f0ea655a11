import { createHash } from "node:crypto";
import path from "node:path";
import type { Config } from "./config.js";
import { createAnswerService, type AnswerRequest, type AnswerResult } from "./core/answering/answer-question.js";
import { createLeakCheck } from "./core/answering/leak.js";
import { AppError } from "./core/errors.js";
import { createGenerativeAnswerer } from "./core/answering/generative.js";
import { createQuestionRewriter, type QuestionRewriter } from "./core/answering/rewrite-question.js";
import { CHUNKER_VERSION, chunkDocument, type Chunk } from "./core/knowledge/chunk.js";
import { CommunesFileSchema, createCommuneDirectory, type CommuneDirectory } from "./core/knowledge/communes.js";
import { parseDataFile, parseKnowledgeFile, type KnowledgeDoc } from "./core/knowledge/parse.js";
import type { IndexIntegrity, LanguageModel, ProgressReporter, PromptSet } from "./core/ports.js";
import { HashedNgramEmbeddings } from "./core/retrieval/hashed-embeddings.js";
import { createCuratedMatcher } from "./core/retrieval/curated.js";
import { createHybridSearcher, HybridRetriever, type HybridSearcher } from "./core/retrieval/hybrid.js";
import { createAnalyzer, type Analysis, type Analyzer } from "./core/text/analyze.js";
import { createLexicon, LexiconDataSchema } from "./core/text/lexicon.js";
import { createEmbeddings } from "./storage/embeddings.js";
import { openVectorIndex, type IndexManifest } from "./storage/hnsw-index.js";
import { readKnowledgeFolder, type KnowledgeFolder } from "./storage/knowledge-folder.js";

/** The loaded knowledge: documents, chunks, communes and the analyzer built from the lexicon. */
export interface KnowledgeBase {
  readonly docs: readonly KnowledgeDoc[];
  readonly chunks: readonly Chunk[];
  readonly communes: CommuneDirectory;
  readonly analyzer: Analyzer;
  /** Digest of everything that shapes the index (files, lexicon, chunker version). */
  readonly contentHash: string;
}

/** Parses and chunks a knowledge folder's contents; throws KNOWLEDGE_INVALID naming the file. */
export function buildKnowledgeBase(folder: KnowledgeFolder): KnowledgeBase {
  const analyzer = createAnalyzer(createLexicon(parseDataFile(folder.lexicon, LexiconDataSchema)));
  const communes = createCommuneDirectory(parseDataFile(folder.communes, CommunesFileSchema).communes);
  const docs = folder.documents.map(parseKnowledgeFile);

  const seen = new Map<string, string>();
  for (const doc of docs) {
    const other = seen.get(doc.meta.id);
    if (other) throw new AppError("KNOWLEDGE_INVALID", `${doc.path}: id "${doc.meta.id}" is also used by ${other}`);
    seen.set(doc.meta.id, doc.path);
    if (doc.meta.commune && !communes.get(doc.meta.commune)) {
      throw new AppError("KNOWLEDGE_INVALID", `${doc.path}: commune "${doc.meta.commune}" is not in communes.yaml`);
    }
  }
  const chunks = docs.flatMap(chunkDocument);

  const hash = createHash("sha256");
  hash.update(`chunker:${CHUNKER_VERSION}\n`);
  hash.update(`lexicon:${analyzer.lexicon.fingerprint}\n`);
  for (const file of folder.documents) hash.update(`${file.path}\n${file.text}\n`);
  return { docs, chunks, communes, analyzer, contentHash: hash.digest("hex") };
}

/** The configured language model (LLM_PROVIDER), its prompts and the follow-up rewriter. */
export interface EngineLlm {
  readonly model: LanguageModel;
  readonly prompts: PromptSet;
  readonly rewrite: QuestionRewriter;
}

/** The vector index an engine serves from, and the state of its saved files. */
export interface EngineIndex {
  readonly rebuilt: boolean;
  readonly manifest: IndexManifest;
  /** What was wrong with the saved files when they were found damaged and rebuilt; null otherwise. */
  readonly damage: string | null;
  /** Why the rebuilt index could not be saved (the engine answers from memory); null when saved. */
  readonly unsaved: string | null;
  /** Checks the saved files against the manifest's checksums (cached; see watchIndexFiles). */
  check(): Promise<IndexIntegrity>;
}

/** The running question-answering engine shared by the CLI, the HTTP service and the channels. */
export interface Engine {
  /** Generative (model-written, guarded) when LLM_PROVIDER is set, else the extractive default. */
  answer(request: AnswerRequest): Promise<AnswerResult>;
  /** The extractive default answerer, whatever LLM_PROVIDER says (retrieval for broadcasts, eval side by side). */
  answerDefault(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: KnowledgeBase;
  readonly index: EngineIndex;
  readonly defaultCommune: string;
  /** The same hybrid retrieval as a LangChain retriever (default commune), for chains. */
  readonly retriever: HybridRetriever;
  /** The hybrid searcher itself (benchmarks compare it, retriever against retriever). */
  readonly searcher: HybridSearcher;
  /** Null with LLM_PROVIDER=none. */
  readonly llm: EngineLlm | null;
}

/** Loads knowledge, opens (or rebuilds) the vector index and wires the answer service. */
export async function createEngine(config: Config, options: { onProgress?: ProgressReporter } = {}): Promise<Engine> {
  const folder = await readKnowledgeFolder(path.resolve(config.KNOWLEDGE_DIR));
  options.onProgress?.({ phase: "parse", done: 0, total: folder.documents.length });
  const knowledge = buildKnowledgeBase(folder);
  options.onProgress?.({ phase: "parse", done: folder.documents.length, total: folder.documents.length });
  if (!knowledge.communes.get(config.COMMUNE)) {
    throw new AppError("CONFIG_INVALID", `COMMUNE: not one of ${knowledge.communes.all.map((c) => c.id).join(", ")}`);
  }

  const embeddings = createEmbeddings(config, knowledge.analyzer);
  let opened;
  try {
    opened = await openVectorIndex({
      dir: path.resolve(config.DATA_DIR, "index"),
      chunks: knowledge.chunks,
      embeddings,
      contentHash: knowledge.contentHash,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("INDEX_BUILD_FAILED", `could not open or build the vector index: ${(err as Error).message}`, { cause: err });
  }

  const searcher = createHybridSearcher({
    chunks: knowledge.chunks,
    analyzer: knowledge.analyzer,
    vectorIndex: opened.index,
    options: { threshold: config.RELEVANCE_THRESHOLD },
  });
  const documents = new Map(knowledge.docs.map((d) => [d.meta.id, { title: d.meta.title, url: d.meta.source.find((s) => s.url)?.url ?? null }]));
  const embedQuery = embeddings instanceof HashedNgramEmbeddings
    ? async (analysis: Analysis) => embeddings.embedAnalysis(analysis)
    : (_analysis: Analysis, question: string) => embeddings.embedQuery(question);
  const retriever = new HybridRetriever(searcher, async (question) => {
    const analysis = knowledge.analyzer.analyzeQuery(question);
    return { analysis, vector: await embedQuery(analysis, question), commune: config.COMMUNE, k: 4 };
  });
  const curated = createCuratedMatcher({ chunks: knowledge.chunks, analyzer: knowledge.analyzer, idf: (t) => searcher.idf(t) });
  // A cited section links to its own source (the first passage under it that names one).
  const sectionUrls = new Map<string, string>();
  for (const c of knowledge.chunks) {
    if (c.faq || !c.url || !c.sourceNote) continue;
    const parts = c.section.split(" › ");
    for (let i = 1; i <= parts.length; i++) {
      const key = `${c.docId}\u0000${parts.slice(0, i).join(" › ")}`;
      if (!sectionUrls.has(key)) sectionUrls.set(key, c.url);
    }
  }
  const service = createAnswerService({
    analyzer: knowledge.analyzer,
    searcher,
    curated,
    sectionUrl: (docId, section) => sectionUrls.get(`${docId}\u0000${section}`) ?? null,
    communes: knowledge.communes,
    defaultCommune: config.COMMUNE,
    documents,
    // The offline embedder reuses the analysis; a remote one embeds the question text.
    embedQuery,
  });

  // With LLM_PROVIDER=none nothing below is loaded or built: the default answerer serves alone.
  let answerer = service;
  let llm: EngineLlm | null = null;
  if (config.LLM_PROVIDER !== "none") {
    const { createLlm } = await import("./llm/index.js");
    const { model, prompts } = await createLlm(config);
    const byId = new Map(knowledge.chunks.map((c) => [c.id, c]));
    const { instructionTexts } = await import("./llm/prompts.js");
    answerer = createGenerativeAnswerer({
      base: service,
      model,
      prompts,
      leakCheck: createLeakCheck(instructionTexts(prompts), [config.LLM_API_KEY, config.EMBEDDINGS_API_KEY, config.TELEGRAM_BOT_TOKEN, config.ZALO_APP_SECRET_KEY, config.ZALO_OA_SECRET_KEY, config.ZALO_ACCESS_TOKEN, config.ZALO_REFRESH_TOKEN, config.USER_KEY_SECRET, config.CONSOLE_PASSWORD].filter((v): v is string => typeof v === "string")),
      chunk: (id) => byId.get(id),
      documents,
      communes: knowledge.communes,
      defaultCommune: config.COMMUNE,
    });
    llm = { model, prompts, rewrite: createQuestionRewriter({ model, prompts }) };
  }

  return {
    answer: (request) => answerer.answer(request),
    answerDefault: (request) => service.answer(request),
    knowledge,
    index: { rebuilt: opened.rebuilt, manifest: opened.manifest, damage: opened.damage, unsaved: opened.unsaved, check: () => opened.integrity.check() },
    defaultCommune: config.COMMUNE,
    retriever,
    searcher,
    llm,
  };
}

/**
 * An engine whose knowledge can be replaced while the service runs (re-index from the console):
 * every call goes to the current engine, and `swap` installs a new one in a single assignment,
 * so a question is answered wholly by the old or wholly by the new knowledge.
 */
export interface LiveEngine extends Engine {
  swap(next: Engine): void;
  readonly current: Engine;
}

export function createLiveEngine(initial: Engine): LiveEngine {
  let current = initial;
  return {
    answer: (request) => current.answer(request),
    answerDefault: (request) => current.answerDefault(request),
    get knowledge() {
      return current.knowledge;
    },
    get index() {
      return current.index;
    },
    get defaultCommune() {
      return current.defaultCommune;
    },
    get retriever() {
      return current.retriever;
    },
    get searcher() {
      return current.searcher;
    },
    get llm() {
      return current.llm;
    },
    get current() {
      return current;
    },
    swap(next) {
      current = next;
    },
  };
}
