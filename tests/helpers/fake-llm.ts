/**
 * Loopback servers that play a language-model API with scripted replies, so the real LangChain
 * clients (ChatOpenAI, ChatOllama, OpenAIEmbeddings, OllamaEmbeddings) are exercised over HTTP:
 * - OpenAI-compatible: POST /v1/chat/completions, POST /v1/embeddings (float or base64);
 * - Ollama: POST /api/chat (streamed NDJSON, or one JSON with stream=false), POST /api/embed.
 * Every request is recorded with its parsed body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One chat reply: model text, an HTTP error, or a delay (then text). */
export type ChatReply =
  | { readonly content: string; readonly delayMs?: number }
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>>; readonly delayMs?: number };

export interface ChatRequestBody {
  readonly model: string;
  readonly messages: ReadonlyArray<{ role: string; content: string }>;
  readonly temperature?: number;
  readonly options?: Record<string, unknown>;
  readonly stream?: boolean;
  readonly [key: string]: unknown;
}

export interface RecordedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface FakeLlm {
  /** http://127.0.0.1:<port> (append /v1 for the OpenAI-compatible client). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The chat requests only, oldest first. */
  chats(): ChatRequestBody[];
  /** Replies for the next chat requests, in order; when none is left, `fallback` answers. */
  script(...replies: Array<ChatReply | ((body: ChatRequestBody) => ChatReply)>): void;
  /** The reply when nothing is scripted (default: a reply that is not JSON). */
  fallback(reply: ChatReply | ((body: ChatRequestBody) => ChatReply)): void;
  reset(): void;
  close(): Promise<void>;
}

/** A deterministic embedding: character trigrams hashed into `dimensions` buckets, unit length. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const s = ` ${text.normalize("NFC").toLowerCase()} `;
  for (let i = 0; i + 3 <= s.length; i++) {
    let h = 2166136261;
    for (const ch of s.slice(i, i + 3)) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
    v[(h >>> 0) % dimensions] = (v[(h >>> 0) % dimensions] ?? 0) + 1;
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      try {
        resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
      } catch {
        resolve({ raw });
      }
    });
  });
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

async function startFake(kind: "openai" | "ollama", options: { dimensions?: number } = {}): Promise<FakeLlm> {
  const dimensions = options.dimensions ?? 32;
  const requests: RecordedRequest[] = [];
  let queue: Array<ChatReply | ((body: ChatRequestBody) => ChatReply)> = [];
  let fallback: ChatReply | ((body: ChatRequestBody) => ChatReply) = { content: "Xin chào, tôi không trả lời bằng JSON." };
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    if (!ms) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const chatPath = kind === "openai" ? "/v1/chat/completions" : "/api/chat";
  const embedPath = kind === "openai" ? "/v1/embeddings" : "/api/embed";

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      requests.push({ path, body });
      if (req.method === "POST" && path === chatPath) {
        const next = queue.shift() ?? fallback;
        const reply = typeof next === "function" ? next(body as unknown as ChatRequestBody) : next;
        later(reply.delayMs ?? 0, () => {
          if (res.destroyed) return;
          if ("status" in reply) {
            const errorBody = reply.body ?? (kind === "openai" ? { error: { message: `scripted ${reply.status}`, type: "scripted_error" } } : { error: `scripted ${reply.status}` });
            return sendJson(res, reply.status, errorBody, reply.headers);
          }
          const model = String(body.model ?? "fake");
          if (kind === "openai") {
            return sendJson(res, 200, {
              id: `chatcmpl-${requests.length}`,
              object: "chat.completion",
              created: Math.floor(Date.now() / 1000),
              model,
              choices: [{ index: 0, message: { role: "assistant", content: reply.content }, finish_reason: "stop" }],
              usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
            });
          }
          const created_at = new Date().toISOString();
          const done = { model, created_at, message: { role: "assistant", content: "" }, done: true, done_reason: "stop", total_duration: 1, load_duration: 1, prompt_eval_count: 10, prompt_eval_duration: 1, eval_count: 10, eval_duration: 1 };
          if (body.stream === false) return sendJson(res, 200, { ...done, message: { role: "assistant", content: reply.content } });
          res.writeHead(200, { "content-type": "application/x-ndjson" });
          // The text in two pieces, as a streaming server sends it.
          const half = Math.floor(reply.content.length / 2);
          for (const piece of [reply.content.slice(0, half), reply.content.slice(half)]) {
            res.write(`${JSON.stringify({ model, created_at, message: { role: "assistant", content: piece }, done: false })}\n`);
          }
          res.end(`${JSON.stringify(done)}\n`);
        });
        return;
      }
      if (req.method === "POST" && path === embedPath) {
        const input = (kind === "openai" ? body.input : body.input) as string | string[];
        const texts = Array.isArray(input) ? input : [input];
        const vectors = texts.map((t) => fakeEmbedding(String(t), dimensions));
        if (kind === "ollama") return sendJson(res, 200, { model: body.model, embeddings: vectors });
        const base64 = body.encoding_format === "base64";
        return sendJson(res, 200, {
          object: "list",
          model: body.model,
          data: vectors.map((v, index) => ({ object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      }
      sendJson(res, 404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    chats: () => requests.filter((r) => r.path === chatPath).map((r) => r.body as unknown as ChatRequestBody),
    script: (...replies) => {
      queue.push(...replies);
    },
    fallback: (reply) => {
      fallback = reply;
    },
    reset: () => {
      requests.length = 0;
      queue = [];
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An OpenAI-compatible server (cloud API, vLLM, LM Studio). */
export const startFakeOpenAI = (options?: { dimensions?: number }) => startFake("openai", options);
/** An Ollama server. */
export const startFakeOllama = (options?: { dimensions?: number }) => startFake("ollama", options);

// ---- helpers for scripting replies from what the model was sent ---------------------------------

/** The text of the last user message of a chat request. */
export function lastUser(body: ChatRequestBody): string {
  return [...body.messages].reverse().find((m) => m.role === "user")?.content ?? "";
}

/** The context blocks ("[n] …") of an answer prompt, by number. */
export function contextBlocks(body: ChatRequestBody): Map<number, string> {
  const user = body.messages.find((m) => m.role === "user")?.content ?? "";
  const inside = /<tai_lieu>\n?([\s\S]*?)\n?<\/tai_lieu>/.exec(user)?.[1] ?? /<nguon>\n?([\s\S]*?)\n?<\/nguon>/.exec(user)?.[1] ?? "";
  const blocks = new Map<number, string>();
  for (const part of inside.split(/\n\n(?=\[\d+\] )/)) {
    const n = /^\[(\d+)\]/.exec(part)?.[1];
    if (n) blocks.set(Number(n), part);
  }
  return blocks;
}

/** The number of the first context block containing `needle`; throws when none does. */
export function blockWith(body: ChatRequestBody, needle: string): number {
  for (const [n, text] of contextBlocks(body)) if (text.includes(needle)) return n;
  throw new Error(`no context block contains ${JSON.stringify(needle)}`);
}

/** A JSON answer reply, as the prompt asks for. */
export const answerReply = (answer: string, cited: number[], extra: Record<string, unknown> = {}): ChatReply => ({ content: JSON.stringify({ answer, cited, ...extra }) });
