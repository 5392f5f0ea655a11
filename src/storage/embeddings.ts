import { OllamaEmbeddings } from "@langchain/ollama";
import { OpenAIEmbeddings } from "@langchain/openai";
import type { EmbeddingsConfig, LlmConfig } from "../config.js";
import type { IdentifiedEmbeddings } from "../core/ports.js";
import type { Analyzer } from "../core/text/analyze.js";
import { HashedNgramEmbeddings } from "../core/retrieval/hashed-embeddings.js";
import { timeoutFetch } from "../llm/timeout-fetch.js";

/** An OpenAI-compatible embeddings endpoint (vLLM, LM Studio, Ollama's /v1, a cloud API). */
class OpenAICompatibleEmbeddings extends OpenAIEmbeddings implements IdentifiedEmbeddings {
  readonly id: string;
  constructor(params: { baseURL: string; apiKey: string | undefined; model: string; dimensions: number | undefined }) {
    super({
      model: params.model,
      // Local servers often need no key; the client still requires a non-empty string.
      apiKey: params.apiKey ?? "not-needed",
      ...(params.dimensions ? { dimensions: params.dimensions } : {}),
      configuration: { baseURL: params.baseURL },
      maxRetries: 2,
      timeout: 30_000,
    });
    this.id = `openai-compatible:${params.model}${params.dimensions ? `:d${params.dimensions}` : ""}`;
  }
}

/** An Ollama server's /api/embed (nomic-embed-text, bge-m3, …). */
class OllamaServerEmbeddings extends OllamaEmbeddings implements IdentifiedEmbeddings {
  readonly id: string;
  constructor(params: { baseUrl: string; model: string; dimensions: number | undefined }) {
    super({
      model: params.model,
      baseUrl: params.baseUrl.replace(/\/+$/, ""),
      ...(params.dimensions ? { dimensions: params.dimensions } : {}),
      maxRetries: 2,
      fetch: timeoutFetch(30_000),
    });
    this.id = `ollama:${params.model}${params.dimensions ? `:d${params.dimensions}` : ""}`;
  }
}

/** The embedder chosen by configuration: offline hashed n-grams (default), an OpenAI-compatible endpoint or Ollama. */
export function createEmbeddings(config: EmbeddingsConfig & Pick<LlmConfig, "OLLAMA_BASE_URL">, analyzer: Analyzer): IdentifiedEmbeddings {
  if (config.EMBEDDINGS_PROVIDER === "openai-compatible") {
    return new OpenAICompatibleEmbeddings({
      baseURL: config.EMBEDDINGS_BASE_URL as string,
      apiKey: config.EMBEDDINGS_API_KEY,
      model: config.EMBEDDINGS_MODEL as string,
      dimensions: config.EMBEDDINGS_DIMENSIONS,
    });
  }
  if (config.EMBEDDINGS_PROVIDER === "ollama") {
    return new OllamaServerEmbeddings({
      baseUrl: config.EMBEDDINGS_BASE_URL ?? config.OLLAMA_BASE_URL,
      model: config.EMBEDDINGS_MODEL as string,
      dimensions: config.EMBEDDINGS_DIMENSIONS,
    });
  }
  return new HashedNgramEmbeddings(analyzer, config.EMBEDDINGS_DIMENSIONS ? { dimensions: config.EMBEDDINGS_DIMENSIONS } : {});
}
