/**
 * The language model chosen by configuration (LLM_PROVIDER), as the core's LanguageModel port,
 * and the prompt files. Loaded only when LLM_PROVIDER is not "none".
 */
import path from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAICompletions } from "@langchain/openai";
import type { LlmConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import type { LanguageModel, PromptSet } from "../core/ports.js";
import { createLanguageModel } from "./language-model.js";
import { loadPrompts } from "./prompts.js";
import { timeoutFetch } from "./timeout-fetch.js";

export { createLanguageModel, classifyLlmError } from "./language-model.js";
export { createPromptSet, loadPrompts, PROMPT_NAMES, PROMPT_PLACEHOLDERS } from "./prompts.js";
export { parseJsonReply } from "./json-reply.js";

/**
 * The LangChain chat model for the configuration. OpenAI-compatible servers get the Chat
 * Completions API (never the Responses API, which local servers lack); retries are off because
 * the answerer falls back to the extractive answer instead.
 */
export function createChatModel(config: LlmConfig): { chat: BaseChatModel; id: string } {
  const model = config.LLM_MODEL;
  if (config.LLM_PROVIDER === "openai-compatible" && model && config.LLM_BASE_URL) {
    return {
      id: `openai-compatible:${model}`,
      chat: new ChatOpenAICompletions({
        model,
        // Local servers often need no key; the client still requires a non-empty string.
        apiKey: config.LLM_API_KEY ?? "not-needed",
        configuration: { baseURL: config.LLM_BASE_URL },
        temperature: config.LLM_TEMPERATURE,
        timeout: config.LLM_TIMEOUT_MS,
        maxRetries: 0,
        streaming: false,
        streamUsage: false,
      }),
    };
  }
  if (config.LLM_PROVIDER === "ollama" && model) {
    return {
      id: `ollama:${model}`,
      chat: new ChatOllama({
        model,
        baseUrl: config.OLLAMA_BASE_URL.replace(/\/+$/, ""),
        temperature: config.LLM_TEMPERATURE,
        numCtx: config.OLLAMA_NUM_CTX,
        maxRetries: 0,
        fetch: timeoutFetch(config.LLM_TIMEOUT_MS),
      }),
    };
  }
  throw new AppError("CONFIG_INVALID", "LLM_PROVIDER: no language model configured");
}

/** The configured language model and prompts; the prompts are read and checked now. */
export async function createLlm(config: LlmConfig): Promise<{ model: LanguageModel; prompts: PromptSet }> {
  const prompts = await loadPrompts(path.resolve(config.PROMPTS_DIR));
  const { chat, id } = createChatModel(config);
  const model = createLanguageModel(chat, {
    id,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxConcurrency: config.LLM_MAX_CONCURRENCY,
    maxQueue: config.LLM_MAX_QUEUE,
  });
  return { model, prompts };
}
