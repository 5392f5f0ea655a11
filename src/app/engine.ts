/**
 * Builder of the question-answering engine (composition root, see src/app/service.ts): reads the
 * knowledge folder, opens (or rebuilds) the vector index and wires the answer service, plus the
 * language model when one is configured. Used by the service and by every CLI that answers.
 */
import path from "node:path";
import { secretValues, type Config, type EmbeddingsConfig, type KnowledgeConfig, type LlmConfig } from "../config.js";
import { createAnswerService, type AnswerRequest, type AnswerResult, type AnswerService } from "../core/answering/answer-question.js";
import { createGenerativeAnswerer } from "../core/answering/generative.js";
import { createLeakCheck } from "../core/answering/leak.js";
import { createQuestionRewriter, type QuestionRewriter } from "../core/answering/rewrite-question.js";
import { AppError } from "../core/errors.js";
import { buildKnowledgeBase, type KnowledgeBase } from "../core/knowledge/base.js";
import type { IdentifiedEmbeddings, IndexIntegrity, LanguageModel, ProgressReporter, PromptSet } from "../core/ports.js";
import { createCuratedMatcher } from "../core/retrieval/curated.js";
import { HashedNgramEmbeddings } from "../core/retrieval/hashed-embeddings.js";
import { createHybridSearcher, HybridRetriever, type HybridSearcher } from "../core/retrieval/hybrid.js";
import type { Analysis } from "../core/text/analyze.js";
import { createEmbeddings } from "../storage/embeddings.js";
import { openVectorIndex, type IndexManifest, type OpenedVectorIndex } from "../storage/hnsw-index.js";
import { readKnowledgeFolder } from "../storage/knowledge-folder.js";

export type { KnowledgeBase } from "../core/knowledge/base.js";

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

/** The question-answering engine shared by the CLIs, the HTTP service and the channels. */
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

/** The embeddings settings, with the Ollama server they fall back to. */
export type EmbeddingsSettings = EmbeddingsConfig & Pick<LlmConfig, "OLLAMA_BASE_URL">;

/** What building an engine needs: its config sections, the index folder and the secrets to keep out of replies. */
export interface EngineSettings {
  readonly knowledge: KnowledgeConfig;
  readonly embeddings: EmbeddingsSettings;
  readonly llm: LlmConfig;
  /** Where the vector index is saved (DATA_DIR/index). */
  readonly indexDir: string;
  /** Values of the secret settings: a language-model reply quoting one is refused (leak check). */
  readonly secrets: readonly string[];
}

/** The embeddings slice of the configuration (the Ollama server comes from the llm section). */
export function embeddingsSettings(config: Pick<Config, "embeddings" | "llm">): EmbeddingsSettings {
  return { ...config.embeddings, OLLAMA_BASE_URL: config.llm.OLLAMA_BASE_URL };
}

/** Where the vector index lives under DATA_DIR. */
export function indexDir(storage: Config["storage"]): string {
  return path.resolve(storage.DATA_DIR, "index");
}

/** The slice of the configuration an engine is built from. */
export function engineSettings(config: Config): EngineSettings {
  return { knowledge: config.knowledge, embeddings: embeddingsSettings(config), llm: config.llm, indexDir: indexDir(config.storage), secrets: secretValues(config) };
}

/** Reads and checks the knowledge folder; the default commune must be one of its communes. */
async function loadKnowledge(settings: KnowledgeConfig, onProgress?: ProgressReporter): Promise<KnowledgeBase> {
  const folder = await readKnowledgeFolder(path.resolve(settings.KNOWLEDGE_DIR));
  onProgress?.({ phase: "parse", done: 0, total: folder.documents.length });
  const knowledge = buildKnowledgeBase(folder);
  onProgress?.({ phase: "parse", done: folder.documents.length, total: folder.documents.length });
  if (!knowledge.communes.get(settings.COMMUNE)) {
    throw new AppError("CONFIG_INVALID", `COMMUNE: not one of ${knowledge.communes.all.map((c) => c.id).join(", ")}`);
  }
  return knowledge;
}

async function openIndex(dir: string, knowledge: KnowledgeBase, embeddings: IdentifiedEmbeddings, onProgress?: ProgressReporter): Promise<OpenedVectorIndex> {
  try {
    return await openVectorIndex({ dir, chunks: knowledge.chunks, embeddings, contentHash: knowledge.contentHash, ...(onProgress ? { onProgress } : {}) });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("INDEX_BUILD_FAILED", `could not open or build the vector index: ${(err as Error).message}`, { cause: err });
  }
}

/** A cited section links to its own source (the first passage under it that names one). */
function sectionUrls(knowledge: KnowledgeBase): (docId: string, section: string) => string | null {
  const urls = new Map<string, string>();
  for (const c of knowledge.chunks) {
    if (c.faq || !c.url || !c.sourceNote) continue;
    const parts = c.section.split(" › ");
    for (let i = 1; i <= parts.length; i++) {
      const key = `${c.docId}\u0000${parts.slice(0, i).join(" › ")}`;
      if (!urls.has(key)) urls.set(key, c.url);
    }
  }
  return (docId, section) => urls.get(`${docId}\u0000${section}`) ?? null;
}

function documentIndex(knowledge: KnowledgeBase) {
  return new Map(knowledge.docs.map((d) => [d.meta.id, { title: d.meta.title, url: d.meta.source.find((s) => s.url)?.url ?? null }]));
}

/** The language-model answerer over `base` (LLM_PROVIDER set): nothing here is loaded otherwise. */
async function buildLlm(settings: EngineSettings, knowledge: KnowledgeBase, base: AnswerService): Promise<{ answerer: AnswerService; llm: EngineLlm }> {
  const { createLlm } = await import("../llm/index.js");
  const { instructionTexts } = await import("../llm/prompts.js");
  const { model, prompts } = await createLlm(settings.llm);
  const byId = new Map(knowledge.chunks.map((c) => [c.id, c]));
  const answerer = createGenerativeAnswerer({
    base,
    model,
    prompts,
    leakCheck: createLeakCheck(instructionTexts(prompts), settings.secrets),
    chunk: (id) => byId.get(id),
    documents: documentIndex(knowledge),
    communes: knowledge.communes,
    defaultCommune: settings.knowledge.COMMUNE,
  });
  return { answerer, llm: { model, prompts, rewrite: createQuestionRewriter({ model, prompts }) } };
}

/** Loads knowledge, opens (or rebuilds) the vector index and wires the answer service. */
export async function buildEngine(settings: EngineSettings, options: { onProgress?: ProgressReporter } = {}): Promise<Engine> {
  const { onProgress } = options;
  const k = settings.knowledge;
  const knowledge = await loadKnowledge(k, onProgress);
  const embeddings = createEmbeddings(settings.embeddings, knowledge.analyzer);
  const opened = await openIndex(settings.indexDir, knowledge, embeddings, onProgress);

  const searcher = createHybridSearcher({ chunks: knowledge.chunks, analyzer: knowledge.analyzer, vectorIndex: opened.index, options: { threshold: k.RELEVANCE_THRESHOLD } });
  // The offline embedder reuses the analysis; a remote one embeds the question text.
  const embedQuery =
    embeddings instanceof HashedNgramEmbeddings ? async (analysis: Analysis) => embeddings.embedAnalysis(analysis) : (_analysis: Analysis, question: string) => embeddings.embedQuery(question);
  const retriever = new HybridRetriever(searcher, async (question) => {
    const analysis = knowledge.analyzer.analyzeQuery(question);
    return { analysis, vector: await embedQuery(analysis, question), commune: k.COMMUNE, k: 4 };
  });
  const service = createAnswerService({
    analyzer: knowledge.analyzer,
    searcher,
    curated: createCuratedMatcher({ chunks: knowledge.chunks, analyzer: knowledge.analyzer, idf: (t) => searcher.idf(t) }),
    sectionUrl: sectionUrls(knowledge),
    communes: knowledge.communes,
    defaultCommune: k.COMMUNE,
    documents: documentIndex(knowledge),
    embedQuery,
  });
  // With LLM_PROVIDER=none the default answerer serves alone.
  const { answerer, llm } = settings.llm.LLM_PROVIDER === "none" ? { answerer: service, llm: null } : await buildLlm(settings, knowledge, service);

  return {
    answer: (request) => answerer.answer(request),
    answerDefault: (request) => service.answer(request),
    knowledge,
    index: { rebuilt: opened.rebuilt, manifest: opened.manifest, damage: opened.damage, unsaved: opened.unsaved, check: () => opened.integrity.check() },
    defaultCommune: k.COMMUNE,
    retriever,
    searcher,
    llm,
  };
}
