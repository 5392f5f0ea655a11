/**
 * Every setting the service reads, in sections (server, storage, knowledge…), each documented
 * once, here: `settingDocs` holds its Vietnamese description (and example, secrecy), the schema
 * its default and limits. `npm run docs:config` (tools/config-docs.ts) writes the settings table
 * of docs/configuration.md and `.env.example` from them; a test fails when those drift.
 *
 * Inside a section a setting keeps its environment name (`config.storage.DATA_DIR`): the `.env`
 * keys are the public interface, and one name everywhere (`.env`, docs, code) is easy to grep.
 * Each part of the service receives only the sections it needs (src/app/ slices them).
 */
import { isIP } from "node:net";
import { z } from "zod/v4";
import { DEFAULT_WORDS_PER_MINUTE } from "./core/broadcast/rate.js";
import { AppError } from "./core/errors.js";

/** The documentation of one setting (a type alias: zod registries want an object type). */
export type SettingDoc = {
  /** What it does, in Vietnamese (Markdown, one paragraph). */
  readonly description: string;
  /** A typical value, shown in the docs. */
  readonly example?: string;
  /** Shown as the default when the schema has none (e.g. "tự tạo"). */
  readonly defaultText?: string;
  /** A secret: never printed, and kept out of language-model replies (leak check). */
  readonly secret?: boolean;
};

/** Documentation of every setting, keyed by its schema (see `settingSchemas`). */
export const settingDocs = z.registry<SettingDoc>();
const d = settingDocs;

/**
 * A fresh schema per setting (never one shared instance): documentation is attached to the
 * schema object, so a shared one would carry one description for several keys.
 */
const optionalString = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined));
const httpUrl = () => z.url({ protocol: /^https?$/ });
const optionalUrl = () => optionalString().pipe(httpUrl().optional());

/** An address proxy-addr understands: an IP, an IP/prefix, or one of its named ranges. */
function isProxyAddress(value: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(value)) return true;
  const [ip, prefix, ...rest] = value.split("/");
  const version = isIP(ip ?? "");
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Adds "KEY: required when …" for each key of `keys` that is empty. */
function requireKeys<T extends Record<string, unknown>>(c: T, ctx: z.RefinementCtx, keys: readonly (keyof T & string)[], when: string): void {
  for (const key of keys) if (!c[key]) ctx.addIssue({ code: "custom", path: [key], message: `required when ${when}` });
}

const server = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).register(d, { description: "Cổng của dịch vụ web" }),
  HOST: z.string().trim().min(1).default("0.0.0.0").register(d, { description: "Địa chỉ lắng nghe (`127.0.0.1` để chỉ máy này truy cập)" }),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60).register(d, {
    description: "Số câu hỏi mỗi phút một địa chỉ IP được gửi tới `POST /api/ask`; quá thì `429`. `0` = không giới hạn (chạy thử tải)",
  }),
  TRUST_PROXY: optionalString()
    .pipe(
      z
        .string()
        .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
        .pipe(z.array(z.string().refine(isProxyAddress, "expected IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated")).min(1))
        .optional(),
    )
    .register(d, {
      description:
        "Địa chỉ proxy ngược được tin (IP, dải CIDR hoặc `loopback`, `linklocal`, `uniquelocal`, cách nhau bằng dấu phẩy): dịch vụ đọc IP thật của người dân từ `X-Forwarded-For` và giao thức từ `X-Forwarded-Proto`. Trống = không tin các header này (xem phần Vận hành)",
      example: "127.0.0.1",
    }),
});

const storage = z.object({
  DATA_DIR: z.string().trim().min(1).default("./data").register(d, {
    description: "Thư mục dữ liệu: chỉ mục tìm kiếm, cơ sở dữ liệu SQLite (người dùng ẩn danh, câu hỏi, hàng chờ, tài khoản cán bộ, token Zalo), khóa mã ẩn danh",
  }),
  USER_KEY_SECRET: optionalString().pipe(z.string().min(16, "at least 16 characters").optional()).register(d, {
    description: "Khóa tạo mã ẩn danh người dùng (≥ 16 ký tự); để trống thì tạo một lần vào `DATA_DIR/user-key.secret`",
    defaultText: "tự tạo",
    secret: true,
  }),
});

const knowledge = z.object({
  KNOWLEDGE_DIR: z.string().trim().min(1).default("./knowledge").register(d, { description: "Thư mục tài liệu (tri thức của trợ lý)" }),
  COMMUNE: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a commune id such as cong-hoa or phu-tan")
    .default("cong-hoa")
    .register(d, { description: "Xã mặc định khi câu hỏi không nêu tên xã (`cong-hoa` hoặc `phu-tan`, xem `knowledge/communes.yaml`)" }),
  RELEVANCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5).register(d, {
    description: "Ngưỡng liên quan 0..1; dưới ngưỡng, trợ lý nói chưa có thông tin thay vì trả lời",
  }),
});

const embeddings = z
  .object({
    EMBEDDINGS_PROVIDER: z.enum(["hashed", "openai-compatible", "ollama"]).default("hashed").register(d, {
      description:
        "`hashed`: vectơ băm n-gram, chạy offline, không tải gì. `openai-compatible`: gọi một máy chủ `/v1/embeddings`. `ollama`: máy chủ Ollama (xem Mô hình ngôn ngữ › Vectơ nhúng). Đổi cấu hình này thì chỉ mục được lập lại khi khởi động",
    }),
    EMBEDDINGS_BASE_URL: optionalUrl().register(d, {
      description: "Bắt buộc với `openai-compatible`, gồm cả `/v1`; với `ollama` không bắt buộc (mặc định `OLLAMA_BASE_URL`)",
      example: "http://127.0.0.1:8000/v1",
    }),
    EMBEDDINGS_API_KEY: optionalString().register(d, { description: "Khóa API nếu máy chủ vectơ nhúng yêu cầu", secret: true }),
    EMBEDDINGS_MODEL: optionalString().register(d, { description: "Bắt buộc với `openai-compatible` và `ollama`: tên mô hình vectơ", example: "nomic-embed-text" }),
    EMBEDDINGS_DIMENSIONS: z.coerce.number().int().positive().optional().register(d, { description: "Số chiều vectơ (không bắt buộc)" }),
  })
  .superRefine((c, ctx) => {
    if (c.EMBEDDINGS_PROVIDER === "openai-compatible") requireKeys(c, ctx, ["EMBEDDINGS_BASE_URL", "EMBEDDINGS_MODEL"], "EMBEDDINGS_PROVIDER=openai-compatible");
    if (c.EMBEDDINGS_PROVIDER === "ollama") requireKeys(c, ctx, ["EMBEDDINGS_MODEL"], "EMBEDDINGS_PROVIDER=ollama");
  });

const llm = z
  .object({
    LLM_PROVIDER: z.enum(["none", "openai-compatible", "ollama"]).default("none").register(d, {
      description:
        "`none`: không dùng mô hình ngôn ngữ (trả lời bằng câu trích từ tài liệu). `openai-compatible`: API tương thích OpenAI (đám mây, vLLM, LM Studio). `ollama`: máy chủ Ollama. Câu trả lời và bản tin do mô hình viết qua bước kiểm tra; không qua thì dùng câu trả lời mặc định. Xem phần Mô hình ngôn ngữ",
    }),
    LLM_BASE_URL: optionalUrl().register(d, { description: "Bắt buộc với `openai-compatible`: địa chỉ API, gồm cả `/v1`", example: "http://127.0.0.1:8000/v1" }),
    LLM_API_KEY: optionalString().register(d, { description: "Khóa API nếu máy chủ yêu cầu (không bao giờ in ra nhật ký)", secret: true }),
    LLM_MODEL: optionalString().register(d, { description: "Bắt buộc khi bật mô hình: tên mô hình (`gpt-4o-mini`, `qwen2.5:7b`…)", example: "qwen2.5:7b" }),
    OLLAMA_BASE_URL: httpUrl().default("http://127.0.0.1:11434").register(d, {
      description: "Máy chủ Ollama (mô hình ngôn ngữ với `LLM_PROVIDER=ollama`, vectơ nhúng với `EMBEDDINGS_PROVIDER=ollama`)",
    }),
    OLLAMA_NUM_CTX: z.coerce.number().int().min(1024).max(1_048_576).default(8192).register(d, {
      description: "Cửa sổ ngữ cảnh (token) yêu cầu Ollama dùng (1024–1048576; mặc định của Ollama quá nhỏ cho phần ngữ cảnh đánh số)",
    }),
    LLM_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(20_000).register(d, {
      description: "Thời gian tối đa một lượt gọi mô hình (kể cả thời gian chờ lượt), mili giây (500–600000); quá thì dùng câu trả lời mặc định",
    }),
    LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.2).register(d, { description: "Độ \"sáng tạo\" của mô hình (0–2); nên để thấp" }),
    LLM_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2).register(d, { description: "Số lượt gọi mô hình cùng lúc (1–64)" }),
    LLM_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(8).register(d, {
      description: "Số lượt được chờ (0–1000); quá số này thì trả lời mặc định ngay thay vì chờ",
    }),
    PROMPTS_DIR: z.string().trim().min(1).default("./prompts").register(d, {
      description: "Thư mục lời dặn cho mô hình (`system.md`, `answer.md`, `retry.md`, `rewrite.md`, `broadcast.md`)",
    }),
  })
  .superRefine((c, ctx) => {
    if (c.LLM_PROVIDER === "openai-compatible") requireKeys(c, ctx, ["LLM_BASE_URL", "LLM_MODEL"], "LLM_PROVIDER=openai-compatible");
    if (c.LLM_PROVIDER === "ollama") requireKeys(c, ctx, ["LLM_MODEL"], "LLM_PROVIDER=ollama");
  });

const privacy = z.object({
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180).register(d, {
    description: "Sau số ngày này, nội dung câu hỏi, lý do đánh giá và câu hỏi đã trả lời bị xóa (cả trong các bản sao lưu)",
  }),
  CONTROLLER_NAME: z.string().trim().min(3).default("Ủy ban nhân dân xã (đơn vị vận hành Trợ lý số xã)").register(d, {
    description: "Đơn vị chịu trách nhiệm về dữ liệu, hiện trong thông báo về dữ liệu cá nhân",
  }),
});

const broadcast = z.object({
  BROADCAST_WORDS_PER_MINUTE: z.coerce.number().int().min(60).max(400).default(DEFAULT_WORDS_PER_MINUTE).register(d, {
    description:
      "Tốc độ đọc bản tin phát thanh (tiếng/phút, 60–400) để ước tính thời lượng; giá trị ước lượng: bấm giờ một lần đọc thử rồi đặt = số tiếng ÷ số phút đọc thật (xem phần Soạn bản tin phát thanh)",
  }),
});

const telegram = z
  .object({
    TELEGRAM_BOT_TOKEN: optionalString().pipe(z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "expected a BotFather token like 123456:ABC…").optional()).register(d, {
      description: "Mã bot từ @BotFather; trống = không bật Telegram",
      secret: true,
    }),
    TELEGRAM_WEBHOOK_URL: optionalUrl().register(d, {
      description: "Địa chỉ HTTPS công khai để nhận webhook; trống = long polling (không cần địa chỉ công khai)",
      example: "https://xa.example.vn/webhooks/telegram",
    }),
    TELEGRAM_WEBHOOK_SECRET: optionalString()
      .pipe(
        z
          .string()
          .min(16, "at least 16 characters (Telegram allows fewer, but a short secret can be guessed)")
          .regex(/^[A-Za-z0-9_-]{1,256}$/, "at most 256 characters, only A-Z a-z 0-9 _ -")
          .optional(),
      )
      .register(d, {
        description:
          "Bắt buộc khi có `TELEGRAM_WEBHOOK_URL`; Telegram gửi kèm mỗi yêu cầu. 16–256 ký tự A-Z a-z 0-9 _ - (ví dụ `openssl rand -hex 24`; ngắn hơn 16 thì dịch vụ không khởi động, báo tên khóa)",
        secret: true,
      }),
    TELEGRAM_API_ROOT: httpUrl().default("https://api.telegram.org").register(d, { description: "Máy chủ Bot API; đổi khi dùng Bot API server riêng" }),
    TELEGRAM_JOIN_QUIET_MS: z.coerce.number().int().min(0).max(10_000).default(1_500).register(d, {
      description: "Tin nhắn Telegram của một người gửi cách nhau dưới số mili giây này được gộp thành một câu hỏi (0–10000); `0` = trả lời từng tin",
    }),
    TELEGRAM_JOIN_MAX_WAIT_MS: z.coerce.number().int().min(500).max(60_000).default(6_000).register(d, {
      description: "Câu hỏi gộp được trả lời muộn nhất sau chừng này mili giây kể từ tin đầu, dù người dân còn đang gõ (500–60000, không nhỏ hơn `TELEGRAM_JOIN_QUIET_MS`)",
    }),
    STAFF_TELEGRAM_IDS: z
      .string()
      .trim()
      .default("")
      .transform((s) => s.split(",").map((id) => id.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^\d{1,20}$/, "expected comma-separated numeric Telegram user ids")))
      .transform((ids) => ids.map(Number))
      .register(d, {
        description: "Mã người dùng Telegram (dãy số, cách nhau bằng dấu phẩy) của cán bộ Đài truyền thanh được dùng lệnh `/bantin`; trống = không ai dùng được",
        example: "123456789,987654321",
      }),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_WEBHOOK_URL) requireKeys(c, ctx, ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"], "TELEGRAM_WEBHOOK_URL is set");
    if (c.TELEGRAM_JOIN_QUIET_MS > 0 && c.TELEGRAM_JOIN_MAX_WAIT_MS < c.TELEGRAM_JOIN_QUIET_MS) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_JOIN_MAX_WAIT_MS"], message: "must be at least TELEGRAM_JOIN_QUIET_MS" });
    }
  });

const zalo = z
  .object({
    ZALO_APP_ID: optionalString().pipe(z.string().regex(/^\d{5,25}$/, "expected the numeric App ID from developers.zalo.me").optional()).register(d, {
      description:
        "App ID (dãy số) của ứng dụng trên developers.zalo.me. Có cả khóa này và `ZALO_OA_SECRET_KEY` thì bật Zalo; chỉ đặt một trong hai là lỗi cấu hình (báo tên khóa còn thiếu)",
    }),
    ZALO_APP_SECRET_KEY: optionalString().register(d, {
      description: "Khóa bí mật của ứng dụng (App secret key); chỉ dùng để làm mới token (gửi trong header `secret_key`)",
      secret: true,
    }),
    ZALO_OA_SECRET_KEY: optionalString().register(d, {
      description: "Khóa bí mật OA (OA secret key) ở mục Webhook của ứng dụng; dùng kiểm tra chữ ký `X-ZEvent-Signature`. **Khác** App secret key",
      secret: true,
    }),
    ZALO_ACCESS_TOKEN: optionalString().register(d, { description: "Access token đầu tiên của OA (lấy qua OAuth, xem phần Kênh Zalo)", secret: true }),
    ZALO_REFRESH_TOKEN: optionalString().register(d, {
      description:
        "Refresh token đi kèm. Cặp token được chép vào cơ sở dữ liệu SQLite lần khởi động đầu; sau đó dịch vụ dùng cặp đã lưu và tự làm mới. Dán một cặp **mới** vào `.env` (khi Zalo từ chối làm mới) thì dịch vụ nhận ra và dùng cặp mới",
      secret: true,
    }),
    ZALO_API_BASE_URL: httpUrl().default("https://openapi.zalo.me").register(d, { description: "Máy chủ API gửi tin của Zalo" }),
    ZALO_OAUTH_BASE_URL: httpUrl().default("https://oauth.zaloapp.com").register(d, { description: "Máy chủ OAuth của Zalo (làm mới token)" }),
    ZALO_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(3 * 60 * 60).register(d, {
      description: "Sự kiện có thời điểm lệch quá số giây này so với bây giờ (3 giờ theo mặc định) bị từ chối (401) như gửi lại; từ 30 đến 86400. Xem phần Kênh Zalo",
    }),
    ZALO_FREE_WINDOW_HOURS: z.coerce.number().min(1).max(168).default(48).register(d, {
      description: "Câu trả lời của cán bộ chỉ được gửi trong số giờ này kể từ tin nhắn gần nhất của người dân (1–168)",
    }),
    ZALO_SENDS_PER_SECOND: z.coerce.number().int().min(1).max(100).default(8).register(d, {
      description: "Số tin gửi sang Zalo mỗi giây, mọi người dân cộng lại (1–100). Giới hạn của Zalo là 8: chỉ đổi khi chạy thử với máy chủ Zalo giả",
    }),
  })
  .superRefine((c, ctx) => {
    if (c.ZALO_APP_ID) requireKeys(c, ctx, ["ZALO_OA_SECRET_KEY"], "ZALO_APP_ID is set (webhook signatures)");
    if (c.ZALO_OA_SECRET_KEY) requireKeys(c, ctx, ["ZALO_APP_ID"], "ZALO_OA_SECRET_KEY is set");
  });

const consoleSection = z.object({
  CONSOLE_PASSWORD: optionalString().pipe(z.string().min(8, "at least 8 characters").max(256, "at most 256 characters").optional()).register(d, {
    description:
      "Mật khẩu (≥ 8 ký tự) để tạo tài khoản đầu tiên `admin` của bảng điều khiển khi chưa có tài khoản nào; sau đó thêm cán bộ bằng `npm run staff -- add <tên>` và có thể xóa dòng này. Không có tài khoản và không có khóa này thì bảng điều khiển tắt",
    secret: true,
  }),
  CONSOLE_SECURE_COOKIE: optionalString().pipe(z.stringbool().optional()).register(d, {
    description: "`true`: cookie phiên chỉ gửi qua HTTPS (đặt khi chạy sau proxy HTTPS); `false`: không bao giờ; trống: khi yêu cầu đến qua HTTPS",
    defaultText: "theo giao thức",
  }),
  CONSOLE_SESSION_HOURS: z.coerce.number().min(1).max(72).default(8).register(d, { description: "Một lần đăng nhập bảng điều khiển có hiệu lực bao nhiêu giờ (1–72)" }),
  CONSOLE_LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20).register(d, {
    description: "Số lần nhập **sai** từ một địa chỉ IP (mọi tài khoản) trước khi địa chỉ đó bị chặn 15 phút",
  }),
  CONSOLE_LOGIN_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(5).register(d, {
    description: "Số lần nhập **sai** cho một tên đăng nhập trước khi các máy đã nhập sai tên đó phải đợi giữa hai lần thử (xem Đăng nhập)",
  }),
});

const logging = z.object({
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").register(d, {
    description: "Mức ghi nhật ký: `fatal` · `error` · `warn` · `info` · `debug` · `trace` · `silent`",
  }),
});

/** The sections, in the order the service is composed (and documented). */
export const ConfigSchema = z.object({ server, storage, knowledge, embeddings, llm, privacy, broadcast, telegram, zalo, console: consoleSection, logging });

export type Config = z.infer<typeof ConfigSchema>;
export type SectionName = keyof Config;
export type ServerConfig = Config["server"];
export type StorageConfig = Config["storage"];
export type KnowledgeConfig = Config["knowledge"];
export type EmbeddingsConfig = Config["embeddings"];
export type LlmConfig = Config["llm"];
export type PrivacyConfig = Config["privacy"];
export type BroadcastConfig = Config["broadcast"];
export type TelegramConfig = Config["telegram"];
export type ZaloConfig = Config["zalo"];
export type ConsoleConfig = Config["console"];
export type LoggingConfig = Config["logging"];

/** Title of each section in the generated docs (Vietnamese, as the rest of the settings docs). */
export const SECTION_TITLES: Readonly<Record<SectionName, string>> = {
  server: "Máy chủ web",
  storage: "Lưu trữ",
  knowledge: "Tri thức",
  embeddings: "Vectơ nhúng",
  llm: "Mô hình ngôn ngữ",
  privacy: "Dữ liệu cá nhân",
  broadcast: "Bản tin phát thanh",
  telegram: "Telegram",
  zalo: "Zalo Official Account",
  console: "Bảng điều khiển cán bộ",
  logging: "Nhật ký",
};

/** Every setting: its environment name, section and schema, in documentation order. */
export function settingSchemas(): Array<{ key: string; section: SectionName; schema: z.ZodType }> {
  return Object.entries(ConfigSchema.shape).flatMap(([section, object]) =>
    Object.entries(object.shape as Record<string, z.ZodType>).map(([key, schema]) => ({ key, section: section as SectionName, schema })),
  );
}

/** The values of the settings marked secret (the language-model leak check refuses replies quoting one). */
export function secretValues(config: Config): string[] {
  const values: string[] = [];
  for (const { key, section, schema } of settingSchemas()) {
    const value = (config[section] as Record<string, unknown>)[key];
    if (settingDocs.get(schema)?.secret && typeof value === "string") values.push(value);
  }
  return values;
}

/**
 * Validates settings from a plain object of environment variables (pure; tests pass objects).
 * Empty strings count as unset. Errors name the keys, never the values, so secrets do not reach logs.
 */
export function createConfig(input: Record<string, string | undefined>): Config {
  const set = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const nested = Object.fromEntries(
    Object.entries(ConfigSchema.shape).map(([section, object]) => [section, Object.fromEntries(Object.keys(object.shape).filter((k) => k in set).map((k) => [k, set[k]]))]),
  );
  const result = ConfigSchema.safeParse(nested);
  if (!result.success) {
    // The path is section.KEY (or section.KEY.index in a list): the environment name is what operators know.
    const detail = result.error.issues.map((i) => `${String(i.path[1] ?? i.path[0] ?? "")}: ${i.message}`).join("; ");
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
