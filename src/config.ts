import { isIP } from "node:net";
import { z } from "zod/v4";
import { DEFAULT_WORDS_PER_MINUTE } from "./core/broadcast/rate.js";
import { AppError } from "./core/errors.js";

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** An address proxy-addr understands: an IP, an IP/prefix, or one of its named ranges. */
function isProxyAddress(value: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(value)) return true;
  const [ip, prefix, ...rest] = value.split("/");
  const version = isIP(ip ?? "");
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Every setting the service reads, with defaults. `.env.example` mirrors this schema. */
export const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().min(1).default("0.0.0.0"),
    /** Requests per minute one client address may send to POST /api/ask; 0 turns the limit off (load tests). */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60),
    /**
     * Reverse proxies (nginx, Caddy) whose X-Forwarded-For / X-Forwarded-Proto are believed:
     * comma-separated IP addresses or CIDR ranges, or loopback / linklocal / uniquelocal.
     * Unset = the socket address is the client (per-IP limits would count a proxy as one client).
     */
    TRUST_PROXY: optionalString.pipe(
      z
        .string()
        .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
        .pipe(z.array(z.string().refine(isProxyAddress, "expected IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated")).min(1))
        .optional(),
    ),
    DATA_DIR: z.string().trim().min(1).default("./data"),
    KNOWLEDGE_DIR: z.string().trim().min(1).default("./knowledge"),
    COMMUNE: z
      .string()
      .trim()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a commune id such as cong-hoa or phu-tan")
      .default("cong-hoa"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    RELEVANCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
    EMBEDDINGS_PROVIDER: z.enum(["hashed", "openai-compatible", "ollama"]).default("hashed"),
    EMBEDDINGS_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    EMBEDDINGS_API_KEY: optionalString,
    EMBEDDINGS_MODEL: optionalString,
    EMBEDDINGS_DIMENSIONS: z.coerce.number().int().positive().optional(),
    /** Language model for fluent answers and broadcast drafts; "none" keeps the extractive default. */
    LLM_PROVIDER: z.enum(["none", "openai-compatible", "ollama"]).default("none"),
    /** Base URL of an OpenAI-compatible API, with its /v1 (cloud, vLLM, LM Studio). */
    LLM_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    LLM_API_KEY: optionalString,
    LLM_MODEL: optionalString,
    /** Ollama server (chat with LLM_PROVIDER=ollama, embeddings with EMBEDDINGS_PROVIDER=ollama). */
    OLLAMA_BASE_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:11434"),
    /** Ollama context window in tokens (its own default is too small for the numbered context). */
    OLLAMA_NUM_CTX: z.coerce.number().int().min(1024).max(1_048_576).default(8192),
    /** One language-model call, waiting for a free slot included, in ms; past it the answer falls back. */
    LLM_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(20_000),
    LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.2),
    /** Language-model calls in flight at once. */
    LLM_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** Calls allowed to wait for a slot; beyond that an answer falls back at once instead of waiting. */
    LLM_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
    /** Folder of the prompt files (system.md, answer.md, retry.md, rewrite.md, broadcast.md). */
    PROMPTS_DIR: z.string().trim().min(1).default("./prompts"),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    CONTROLLER_NAME: z.string().trim().min(3).default("Ủy ban nhân dân xã (đơn vị vận hành Trợ lý số xã)"),
    /** Secret for the pseudonymous user keys; by default generated once into DATA_DIR/user-key.secret. */
    USER_KEY_SECRET: optionalString.pipe(z.string().min(16, "at least 16 characters").optional()),
    TELEGRAM_BOT_TOKEN: optionalString.pipe(z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "expected a BotFather token like 123456:ABC…").optional()),
    TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /**
     * Sent by Telegram with every webhook request. Telegram accepts 1–256 characters; shorter than
     * 16 is refused here, as a secret that short can be guessed.
     */
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .min(16, "at least 16 characters (Telegram allows fewer, but a short secret can be guessed)")
        .regex(/^[A-Za-z0-9_-]{1,256}$/, "at most 256 characters, only A-Z a-z 0-9 _ -")
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://api.telegram.org"),
    /** Telegram messages of one resident less than this apart are joined into one question (ms); 0 = answer each message. */
    TELEGRAM_JOIN_QUIET_MS: z.coerce.number().int().min(0).max(10_000).default(1_500),
    /** The longest a joined question waits after its first message, even while the resident keeps typing (ms). */
    TELEGRAM_JOIN_MAX_WAIT_MS: z.coerce.number().int().min(500).max(60_000).default(6_000),
    ZALO_APP_ID: optionalString.pipe(z.string().regex(/^\d{5,25}$/, "expected the numeric App ID from developers.zalo.me").optional()),
    /** App secret: authenticates token refreshes (header secret_key). */
    ZALO_APP_SECRET_KEY: optionalString,
    /** OA secret key: signs webhook events (X-ZEvent-Signature). Not the app secret. */
    ZALO_OA_SECRET_KEY: optionalString,
    ZALO_ACCESS_TOKEN: optionalString,
    ZALO_REFRESH_TOKEN: optionalString,
    ZALO_API_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://openapi.zalo.me"),
    ZALO_OAUTH_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://oauth.zaloapp.com"),
    /** Webhook events older (or newer) than this are refused as replays (seconds). */
    ZALO_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(3 * 60 * 60),
    /** Hours after a resident's last message during which the OA may reply for free. */
    ZALO_FREE_WINDOW_HOURS: z.coerce.number().min(1).max(168).default(48),
    /** Messages per second sent to Zalo at most (all residents together); Zalo's limit is 8. */
    ZALO_SENDS_PER_SECOND: z.coerce.number().int().min(1).max(100).default(8),
    /** Reading rate for broadcast scripts, in words (syllables) per minute; see DEFAULT_WORDS_PER_MINUTE. */
    BROADCAST_WORDS_PER_MINUTE: z.coerce.number().int().min(60).max(400).default(DEFAULT_WORDS_PER_MINUTE),
    /** Telegram user ids (comma-separated) allowed to draft broadcasts with /bantin. */
    STAFF_TELEGRAM_IDS: z
      .string()
      .trim()
      .default("")
      .transform((s) => s.split(",").map((id) => id.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^\d{1,20}$/, "expected comma-separated numeric Telegram user ids")))
      .transform((ids) => ids.map(Number)),
    /** Creates the first console account `admin` at start when there is no staff account yet. */
    CONSOLE_PASSWORD: optionalString.pipe(z.string().min(8, "at least 8 characters").max(256, "at most 256 characters").optional()),
    /** Session cookie `Secure`: true/false; unset = only when the request came over https. */
    CONSOLE_SECURE_COOKIE: optionalString.pipe(z.stringbool().optional()),
    /** A console sign-in lasts this many hours. */
    CONSOLE_SESSION_HOURS: z.coerce.number().min(1).max(72).default(8),
    /** Wrong passwords from one IP address (any account) before it is refused for 15 minutes. */
    CONSOLE_LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20),
    /** Wrong passwords for one username before addresses that failed on it must wait between tries. */
    CONSOLE_LOGIN_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_BOT_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_BOT_TOKEN"], message: "required when TELEGRAM_WEBHOOK_URL is set" });
    }
    if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_SECRET"], message: "required when TELEGRAM_WEBHOOK_URL is set" });
    }
    if (c.TELEGRAM_JOIN_QUIET_MS > 0 && c.TELEGRAM_JOIN_MAX_WAIT_MS < c.TELEGRAM_JOIN_QUIET_MS) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_JOIN_MAX_WAIT_MS"], message: "must be at least TELEGRAM_JOIN_QUIET_MS" });
    }
    if (c.ZALO_APP_ID && !c.ZALO_OA_SECRET_KEY) {
      ctx.addIssue({ code: "custom", path: ["ZALO_OA_SECRET_KEY"], message: "required when ZALO_APP_ID is set (webhook signatures)" });
    }
    if (c.ZALO_OA_SECRET_KEY && !c.ZALO_APP_ID) {
      ctx.addIssue({ code: "custom", path: ["ZALO_APP_ID"], message: "required when ZALO_OA_SECRET_KEY is set" });
    }
    if (c.EMBEDDINGS_PROVIDER === "openai-compatible") {
      for (const key of ["EMBEDDINGS_BASE_URL", "EMBEDDINGS_MODEL"] as const) {
        if (!c[key]) ctx.addIssue({ code: "custom", path: [key], message: "required when EMBEDDINGS_PROVIDER=openai-compatible" });
      }
    }
    if (c.EMBEDDINGS_PROVIDER === "ollama" && !c.EMBEDDINGS_MODEL) {
      ctx.addIssue({ code: "custom", path: ["EMBEDDINGS_MODEL"], message: "required when EMBEDDINGS_PROVIDER=ollama" });
    }
    if (c.LLM_PROVIDER === "openai-compatible") {
      for (const key of ["LLM_BASE_URL", "LLM_MODEL"] as const) {
        if (!c[key]) ctx.addIssue({ code: "custom", path: [key], message: "required when LLM_PROVIDER=openai-compatible" });
      }
    }
    if (c.LLM_PROVIDER === "ollama" && !c.LLM_MODEL) {
      ctx.addIssue({ code: "custom", path: ["LLM_MODEL"], message: "required when LLM_PROVIDER=ollama" });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/**
 * Validates settings from a plain object (pure; tests pass objects). Empty strings count as
 * unset. Errors name the keys, never the values, so secrets do not reach logs.
 */
export function createConfig(input: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AppError("CONFIG_INVALID", `invalid configuration: ${detail}`);
  }
  return result.data;
}

/** Reads `.env` (if present) into the environment, then validates it. Real env vars win. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  try {
    process.loadEnvFile(envFile);
  } catch {
    // No .env file: defaults and the real environment apply.
  }
  return createConfig(env);
}
