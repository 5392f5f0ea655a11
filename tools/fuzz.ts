/**
 * Property-based fuzzing of every input boundary (fast-check generators):
 * - in process: Vietnamese normalization (idempotent, NFC/NFD-equivalent) and `engine.answer()`
 *   (never throws, always passes AnswerResultSchema, NFC and NFD questions answered alike);
 * - over loopback HTTP against the real service (startService on 127.0.0.1, with loopback
 *   stand-ins for the Zalo and Telegram APIs): POST /api/ask, the Zalo webhook with correct and
 *   forged signatures, the Telegram webhook (well-formed updates, garbage, no secret), and the
 *   console sign-in form. Garbage must get a 4xx, never a 5xx; forged requests never a 2xx; and
 *   the service must log no error while handling them (errors it catches show in no status).
 *
 *   npm run fuzz [-- --runs 100000] [--seed 42] [--concurrency 16] [--out report.json] [--verbose]
 *
 * `--runs` is the total number of generated inputs, shared among the targets by fixed weights.
 * Prints a table of counts per target and exits 1 on any 5xx, exception, violation or logged
 * error (with the first failing inputs), 2 on bad options. The same generators and checks drive the vitest
 * property tests in tests/tools/fuzz/.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import fc from "fast-check";
import { pino } from "pino";
import type { UserFromGetMe } from "grammy/types";
import { z } from "zod/v4";
import { MEDIA_EVENTS } from "../src/channels/zalo/events.js";
import { signatureHeader } from "../src/channels/zalo/signature.js";
import { createConfig } from "../src/config.js";
import type { AnswerRequest, AnswerResult } from "../src/core/answering/answer-question.js";
import { AnswerResultSchema, PublicAnswerSchema } from "../src/core/answering/result-schema.js";
import type { Analyzer } from "../src/core/text/analyze.js";
import { fold, hasNoDiacritics, toNfc, tokenize, toWords } from "../src/core/text/normalize.js";
import { startService, type Service } from "../src/app/service.js";

const ROOT = path.resolve(import.meta.dirname, "..");

/* ============================================================================================
 * Generators
 * ========================================================================================== */

/** Syllables and chat abbreviations residents type, with and without diacritics. */
export const SYLLABLES = [
  "điện", "thoại", "hỗ", "trợ", "xã", "Cộng", "Hòa", "Phú", "Tân", "sóng", "tắt", "đăng", "ký", "VNeID", "mức", "hộ",
  "nghèo", "cận", "Ủy", "ban", "nhân", "dân", "người", "được", "không", "ko", "dc", "dt", "sdt", "bn", "mk", "ck", "ad",
  "kế", "hoạch", "bao", "nhiêu", "ĐƯỜNG", "Nguyễn", "thị", "ánh", "quý", "khuya", "gì", "ở", "đâu", "2G", "4G", "500.000",
  "14/2022/TT-BTTTT", "12/12/2022", "dien", "thoai", "ho", "tro", "xa", "song", "tat", "đ", "Đ", "ư", "ơ", "ữ", "ỷ",
] as const;

/** Real questions (from the evaluation set's topics), to be mangled. */
export const SAMPLE_QUESTIONS = [
  "Kế hoạch xã Cộng Hòa đặt mục tiêu bao nhiêu thuê bao băng rộng di động trên 100 dân?",
  "ke hoach xa phu tan muc tieu toc do bang rong co dinh bao nhieu",
  "Nhà tôi hộ nghèo có được hỗ trợ điện thoại thông minh không?",
  "dt cua toi co dung dc sau khi tat song 2g ko",
  "vneid muc 2 dang ky o dau",
  "Làm sao để nhận biết cuộc gọi lừa đảo?",
  "kq xsmb hom nay",
  "cho tôi số điện thoại của ông Nguyễn Văn A",
  "thuốc hạ sốt cho trẻ em uống bao nhiêu",
  "xã Phú Tân giờ là xã nào?",
  "thanh toan qr co an toan khong",
  "/start",
  "menu",
  "xoa du lieu",
] as const;

const EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇻🇳", "❤️", "🏳️‍🌈", "🙏", "🤖", "👩🏻‍💻", "🧑‍🌾", "☎️", "📱", "\u{1F1E6}"] as const;
const RTL = ["مرحبا بالعالم", "שלום עולם", "\u202Eدیتال\u202C", "سلام علیکم", "\u200Fעברית\u200E", "ﷺ", "لا"] as const;
const SCRIPTS = [
  "Привет мир", "你好世界", "こんにちは", "안녕하세요", "สวัสดี", "नमस्ते", "Γειά σου", "𝐝𝐢𝐞̣̂𝐧 𝐭𝐡𝐨𝐚̣𝐢", "ｄｉｅｎ　ｔｈｏａｉ",
  "ℌ𝔢𝔩𝔩𝔬", "İstanbul ΣΑΣ ß ẞ ǅ Ꭰ", "Ⅻ ① ½ ﬁ", "ᄀ\u1161 가", "ቋንቋ", "ꦗꦮ",
] as const;
const SQL = [
  "'; DROP TABLE users; --", "' OR '1'='1", "1; DELETE FROM messages WHERE 1=1", "\" UNION SELECT * FROM staff --",
  "%' AND 1=0 UNION SELECT password_hash FROM staff_accounts --", "\\'; PRAGMA writable_schema=1; --", "?; ATTACH DATABASE '/tmp/x' AS x",
] as const;
const MARKUP = [
  "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea><svg/onload=alert(1)>", "&lt;b&gt;&#x27;&amp;",
  "]]><!--", "{{7*7}}", "${7*7}", "%s%n%x", "../../../../etc/passwd", "javascript:alert(1)", "<b>đậm</b>", "*_`[x](y)`_*",
  "\\u0000", "{\"question\":1}", "\r\nSet-Cookie: a=b",
] as const;
const SPECIAL_CHARS = [
  "\u0000", "\u0007", "\b", "\t", "\n", "\v", "\f", "\r", "\u001b[31m", "\u007f", "\u0085", "\u009f", "\u00a0", "\u00ad",
  "\u034f", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2060",
  "\u2066", "\u2069", "\u3000", "\ufeff", "\ufffd", "\ufffe", "\uffff",
] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.oneof(fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), fc.constantFrom(...SPECIAL_CHARS));
const combining = fc.oneof(fc.integer({ min: 0x300, max: 0x36f }), fc.integer({ min: 0x1dc0, max: 0x1dff }), fc.integer({ min: 0x20d0, max: 0x20ff }));
/** A base letter buried under combining marks ("zalgo"). */
const zalgo = fc
  .tuple(fc.constantFrom("a", "e", "đ", "ơ", "ư", "Ê", "i"), fc.array(combining, { minLength: 1, maxLength: 120 }))
  .map(([base, marks]) => base + String.fromCodePoint(...marks));
const syllable = fc.constantFrom(...SYLLABLES);
/** Forms a phone may send: NFC, NFD, upper case, without diacritics. */
const spelled = fc
  .tuple(syllable, fc.constantFrom("nfc", "nfd", "upper", "plain"))
  .map(([s, how]) => (how === "nfc" ? s.normalize("NFC") : how === "nfd" ? s.normalize("NFD") : how === "upper" ? s.toUpperCase() : fold(s)));
const number = fc.oneof(
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom("0912 345 678", "+84 912.345.678", "001203004005", "NaN", "-0", "1e308", "Infinity", "0x1F", "١٢٣"),
);

/** One piece of hostile text. */
const fragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: spelled },
  { weight: 2, arbitrary: control },
  { weight: 2, arbitrary: fc.constantFrom(...EMOJI) },
  { weight: 2, arbitrary: fc.constantFrom(...RTL) },
  { weight: 2, arbitrary: fc.constantFrom(...SCRIPTS) },
  { weight: 1, arbitrary: fc.constantFrom(...SQL) },
  { weight: 1, arbitrary: fc.constantFrom(...MARKUP) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: zalgo },
  { weight: 1, arbitrary: number },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
);
const separator = fc.constantFrom(" ", " ", " ", "", "\n", "\t", ", ", "?", "!!!", "...", "\u00a0", "  ", "/", "-");

/** 10,000 characters of one syllable (with or without separators). */
export const oneSyllable10k: fc.Arbitrary<string> = fc
  .tuple(spelled, fc.constantFrom("", " ", "\n", "-"))
  .map(([s, sep]) => {
    const unit = s + sep || "a";
    return unit.repeat(Math.ceil(10_000 / unit.length)).slice(0, 10_000);
  });

/** A single "word" of 500 to 20,000 characters. */
export const veryLongWord: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 6 }), spelled, fc.constantFrom(...EMOJI)), fc.integer({ min: 500, max: 20_000 }))
  .map(([piece, length]) => (piece || "x").repeat(Math.ceil(length / Math.max(1, piece.length))).slice(0, length));

/** A real question with hostile pieces inserted. */
const mangledQuestion: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...SAMPLE_QUESTIONS), fc.array(fc.tuple(fc.nat(), fragment), { maxLength: 4 }), fc.constantFrom("nfc", "nfd", "upper", "plain", "same"))
  .map(([q, inserts, how]) => {
    let text: string = q;
    for (const [at, piece] of inserts) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + piece + text.slice(i);
    }
    return how === "nfc" ? text.normalize("NFC") : how === "nfd" ? text.normalize("NFD") : how === "upper" ? text.toUpperCase() : how === "plain" ? fold(text) : text;
  });

/**
 * Any string a resident, a broken client or an attacker might send: mixed fragments (control
 * characters, emoji, RTL text, other scripts, SQL and HTML, lone surrogates, combining-mark
 * storms, numbers), mangled real questions, 10k characters of one syllable, very long words and
 * raw random code points.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(fragment, separator), { minLength: 1, maxLength: 40 }).map((parts) => parts.map(([f, s]) => f + s).join("")) },
  { weight: 6, arbitrary: mangledQuestion },
  { weight: 1, arbitrary: oneSyllable10k },
  { weight: 1, arbitrary: veryLongWord },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-composite", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\n\n", "?", "đ", "\u0301", "\ud800", "\udfff\ud800", "\u0000".repeat(50)) },
);

/** Short hostile text (names, ids, callback data). */
const shortText: fc.Arbitrary<string> = fc.oneof(fc.array(fragment, { maxLength: 4 }).map((p) => p.join("")), fc.string({ unit: "binary", maxLength: 40 }));

/** Questions for `engine.answer()`, with a commune choice (valid, unknown or none). */
export const answerRequestArb: fc.Arbitrary<AnswerRequest> = fc.record({
  question: hostileText,
  commune: fc.constantFrom(null, "cong-hoa", "phu-tan", "khong-co-xa-nay", ""),
});

/** Garbage JSON values, including deep and exotic ones. */
const jsonGarbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 0, -1, "", [], {}, true, "null", 1e308, -0) },
  { weight: 1, arbitrary: fc.dictionary(shortText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) },
);

/** How a request body is sent: JSON of a value, raw text, raw bytes (invalid UTF-8), or oversized. */
export type BodySpec =
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "none" };

const RAW_TEXTS = [
  "", "{", "}", "[", "{\"question\":", "{\"question\":\"a\"", "null", "undefined", "NaN", "{'question': 'a'}", "\u0000{}",
  "{\"__proto__\":{\"polluted\":true},\"question\":\"x\"}", "{\"constructor\":{\"prototype\":{\"polluted\":true}}}",
  "{\"question\":\"a\",\"question\":\"b\"}", "\ufeff{\"question\":\"bom\"}", "{\"question\":\"\\ud800\"}", "{\"question\":\"\\u0000\"}",
  "a=1&b=2&&=&%zz=%", "question=hello", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--",
] as const;

/** Nesting bombs and oversized bodies (the service's body limit is 64 KiB). */
const bombs: fc.Arbitrary<BodySpec> = fc.oneof(
  fc.integer({ min: 1000, max: 32_000 }).map((depth): BodySpec => ({ kind: "text", text: "[".repeat(depth) + "]".repeat(depth) })),
  fc.integer({ min: 1000, max: 20_000 }).map((depth): BodySpec => ({ kind: "text", text: "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) })),
  fc.integer({ min: 60_000, max: 200_000 }).map((size): BodySpec => ({ kind: "json", value: { question: "điện thoại ".repeat(Math.ceil(size / 11)) } })),
);

const rawBody: fc.Arbitrary<BodySpec> = fc.oneof(
  fc.constantFrom(...RAW_TEXTS).map((text): BodySpec => ({ kind: "text", text })),
  hostileText.map((text): BodySpec => ({ kind: "text", text })),
  fc.uint8Array({ maxLength: 300 }).map((bytes): BodySpec => ({ kind: "bytes", bytes })),
  fc.constant<BodySpec>({ kind: "none" }),
);

const CONTENT_TYPES = [
  "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
  "application/xml", "text/html", "application/json; charset=latin1", "APPLICATION/JSON", "*/*", "application/octet-stream", "", "application/",
] as const;
/** Mostly the content type that fits the body, sometimes a wrong or odd one, sometimes none. */
const contentType = (fits: string): fc.Arbitrary<string | null> =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(fits) }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(null) });

/** Encodes a body to bytes (lone surrogates become U+FFFD, as any client would send them). */
export function encodeBody(body: BodySpec): { bytes: Uint8Array | undefined; text: string } {
  switch (body.kind) {
    case "json": {
      const text = JSON.stringify(body.value) ?? "null";
      return { bytes: Buffer.from(text, "utf8"), text };
    }
    case "text":
      return { bytes: Buffer.from(body.text, "utf8"), text: body.text };
    case "bytes":
      return { bytes: body.bytes, text: Buffer.from(body.bytes).toString("utf8") };
    case "none":
      return { bytes: undefined, text: "" };
  }
}

/* ---------- HTTP cases ---------- */

export type HttpTarget = "api-ask" | "zalo-signed" | "zalo-forged" | "telegram" | "telegram-garbage" | "telegram-forged" | "console-sign-in";

/** One generated request. `body` is what is sent; `note` says how it was made (for reports). */
export interface HttpCase {
  readonly target: HttpTarget;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
  readonly note: string;
}

/** What the generators need to know about the running service. */
export interface FuzzContext {
  readonly zaloAppId: string;
  readonly zaloOaSecret: string;
  readonly telegramPath: string;
  readonly telegramSecret: string;
  /** Event timestamps are drawn around this instant (epoch ms) so that some pass the replay window. */
  readonly now: number;
  /** Console sign-in forms opened beforehand (openSignInForms): session cookie and CSRF token. */
  readonly consoleSessions: ReadonlyArray<{ readonly cookie: string; readonly csrf: string }>;
  /** Telegram user ids allowed to use /bantin. */
  readonly staffTelegramId: number;
}

function httpCase(target: HttpTarget, p: string, body: BodySpec, type: string | null, extra: Record<string, string>, note: string): HttpCase {
  const { bytes } = encodeBody(body);
  return { target, path: p, headers: { ...(type !== null ? { "content-type": type } : {}), ...extra }, body: bytes, note: `${note}; body=${body.kind}; type=${type ?? "none"}` };
}

const communeValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("cong-hoa", "phu-tan", null) },
  { weight: 2, arbitrary: fc.constantFrom("", "CONG-HOA", "cong hoa", "Cộng Hòa", "xa-khac", "__proto__", "toString") },
  { weight: 1, arbitrary: jsonGarbage },
);
const askObject: fc.Arbitrary<unknown> = fc
  .record(
    {
      question: fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 1, arbitrary: jsonGarbage }),
      commune: communeValue,
      extra: jsonGarbage,
    },
    { requiredKeys: [] },
  )
  .map((o) => {
    const { extra, ...rest } = o as { extra?: unknown } & Record<string, unknown>;
    return extra === undefined ? rest : { ...rest, [typeof extra === "string" ? extra.slice(0, 20) : "x"]: extra };
  });

/** POST /api/ask with questions, garbage JSON, raw text and bytes, bombs and odd content types. */
export function apiAskCaseArb(): fc.Arbitrary<HttpCase> {
  const body = fc.oneof(
    { weight: 8, arbitrary: askObject.map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 3, arbitrary: jsonGarbage.map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 3, arbitrary: rawBody },
    { weight: 1, arbitrary: bombs },
  );
  return fc.tuple(body, fc.boolean()).chain(([b, jsonType]) =>
    contentType(b.kind === "json" || jsonType ? "application/json" : "text/plain").map((type) => httpCase("api-ask", "/api/ask", b, type, {}, "ask")),
  );
}

/* ---------- Zalo ---------- */

const ZALO_USERS = ["2512001", "2512002", "2512003"] as const;
const zaloId = (pool: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.constantFrom("", "   ", "x".repeat(65), 0, -1, null, 1.5, [], {}) },
    { weight: 1, arbitrary: jsonGarbage },
  );
const zaloTimestamp = (now: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    // A few fixed instants inside the replay window: resent events are then de-duplicated.
    { weight: 8, arbitrary: fc.constantFrom(String(now), String(now - 60_000), now - 1000, String(now + 2000)) },
    { weight: 1, arbitrary: fc.constantFrom(String(now - 4 * 3_600_000), String(now + 86_400_000), "0", "99999999999999999999", "1e12", "-5", "") },
    { weight: 1, arbitrary: jsonGarbage },
  );

/** Zalo events close to valid ones: right shape with hostile text, or one field wrong. */
export function zaloEventArb(ctx: Pick<FuzzContext, "zaloAppId" | "now">): fc.Arbitrary<unknown> {
  // Message ids mostly from a small pool: most valid events are resends (acknowledged as
  // duplicates), so the job queue stays small while the parser sees every shape.
  const msgId = fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => `msg-${n}`) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: jsonGarbage });
  const party = fc.oneof({ weight: 10, arbitrary: fc.record({ id: zaloId(ZALO_USERS) }) }, { weight: 1, arbitrary: jsonGarbage });
  const name = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("user_send_text", "user_send_text", "follow", "unfollow", ...MEDIA_EVENTS) },
    { weight: 2, arbitrary: fc.constantFrom("oa_send_text", "user_seen_message", "user_received_message", "user_submit_info", "user_send_text ", "USER_SEND_TEXT", "") },
    { weight: 1, arbitrary: shortText },
    { weight: 1, arbitrary: jsonGarbage },
  );
  return fc
    .record(
      {
        event_name: name,
        app_id: fc.oneof({ weight: 8, arbitrary: fc.constant(ctx.zaloAppId) }, { weight: 1, arbitrary: fc.constantFrom(Number(ctx.zaloAppId), "123", "abc") }, { weight: 1, arbitrary: jsonGarbage }),
        timestamp: zaloTimestamp(ctx.now),
        sender: party,
        recipient: party,
        follower: party,
        oa_id: fc.oneof(fc.constant("579745863508352884"), jsonGarbage),
        user_id_by_app: fc.string({ maxLength: 20 }),
        message: fc.oneof(
          { weight: 10, arbitrary: fc.record({ msg_id: msgId, text: fc.oneof({ weight: 8, arbitrary: hostileText }, { weight: 1, arbitrary: jsonGarbage }), attachments: jsonGarbage }, { requiredKeys: ["msg_id"] }) },
          { weight: 1, arbitrary: jsonGarbage },
        ),
      },
      { requiredKeys: [] },
    )
    .map((event) => event as unknown);
}

function zaloBody(ctx: FuzzContext): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    { weight: 10, arbitrary: zaloEventArb(ctx).map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 2, arbitrary: jsonGarbage.map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 2, arbitrary: rawBody },
    { weight: 1, arbitrary: bombs },
  );
}

/** The `timestamp` field of a body as the service reads it for the signature, if any. */
function bodyTimestamp(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    const ts = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>).timestamp : undefined;
    return typeof ts === "string" || typeof ts === "number" ? String(ts) : "";
  } catch {
    return "";
  }
}

/** Zalo webhook requests signed correctly (`signatureHeader`), so the event parser is exercised. */
export function zaloSignedCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  return fc.tuple(zaloBody(ctx), contentType("application/json")).map(([body, type]) => {
    const { text } = encodeBody(body);
    const signature = signatureHeader(ctx.zaloAppId, text, bodyTimestamp(text), ctx.zaloOaSecret);
    return httpCase("zalo-signed", "/webhooks/zalo", body, type, { "x-zevent-signature": signature }, "signed");
  });
}

/** Zalo webhook requests with a missing, malformed, wrong-key or other-body signature. */
export function zaloForgedCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));
  const forgery = fc.oneof(
    fc.constantFrom("missing", "wrong-key", "wrong-app", "other-body"),
    hex.map((h) => `mac=${h}`),
    hex,
    fc.constantFrom("mac=", "mac", "sha256=abc", "mac=" + "g".repeat(64), "mac=" + "0".repeat(63), "MAC=" + "0".repeat(64)),
    fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map((v) => `raw:${v.replace(/[^\x20-\x7e]/g, "")}`),
  );
  return fc.tuple(zaloBody(ctx), contentType("application/json"), forgery).map(([body, type, how]) => {
    const { text } = encodeBody(body);
    const ts = bodyTimestamp(text);
    const signature =
      how === "missing"
        ? null
        : how === "wrong-key"
          ? signatureHeader(ctx.zaloAppId, text, ts, "not-the-oa-secret")
          : how === "wrong-app"
            ? signatureHeader("999999999", text, ts, ctx.zaloOaSecret)
            : how === "other-body"
              ? signatureHeader(ctx.zaloAppId, `${text} `, ts, ctx.zaloOaSecret)
              : how.startsWith("raw:")
                ? how.slice(4)
                : how;
    return httpCase("zalo-forged", "/webhooks/zalo", body, type, signature === null ? {} : { "x-zevent-signature": signature }, `forged:${how.slice(0, 12)}`);
  });
}

/* ---------- Telegram ---------- */

const TELEGRAM_USERS = [777001, 777002, 777003] as const;
const BOT_ID = 4242;
const COMMANDS = ["/start", "/menu", "/xa", "/huy", "/cancel", "/help", "/trogiup", "/quyenriengtu", "/xoadulieu", "/xemdulieu", "/bantin", "/start@tro_ly_so_xa_bot", "/unknown"] as const;
/** Callback data the bot itself puts on its buttons (with ids that may no longer exist). */
const CALLBACKS = [
  "consent:yes", "consent:no", "commune:cong-hoa", "commune:phu-tan", "delete:yes", "delete:no", "mydata", "menu:skills", "menu:plan", "menu:staff",
  "ask:0", "ask:3", "ask:999", "flow-start:smartphone-support", "flow-start:two-g-phone", "flow:poor", "flow-cancel", "fb:up:1", "fb:down:99999999",
  "staff:1", "staff:123456",
] as const;

/**
 * Updates shaped as Telegram sends them (messages, commands, button presses in private chats
 * and groups), carrying hostile text. A handler must never fail on one of these.
 */
export function telegramUpdateArb(ctx: Pick<FuzzContext, "staffTelegramId">): fc.Arbitrary<unknown> {
  const userId = fc.constantFrom(...TELEGRAM_USERS, ctx.staffTelegramId);
  const user = (id: fc.Arbitrary<number>) =>
    fc.record({ id, is_bot: fc.constant(false), first_name: shortText.map((n) => n || "Bà"), username: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{4,20}$/), { nil: undefined }), language_code: fc.constantFrom("vi", "en") }, { requiredKeys: ["id", "is_bot", "first_name"] });
  // Telegram sends non-empty text of at most 4,096 characters, commands marked by an entity.
  const text = fc.oneof(
    { weight: 6, arbitrary: hostileText.map((t) => ({ text: t.slice(0, 4096) || "?" })) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...COMMANDS), fc.option(hostileText, { nil: undefined })).map(([c, rest]) => ({ text: rest ? `${c} ${rest}`.slice(0, 4096) : c, command: c.length })) },
    { weight: 1, arbitrary: fc.constant({ text: "@tro_ly_so_xa_bot điện thoại tắt sóng 2G", mention: 17 }) },
  );
  const message = fc.tuple(fc.nat(), userId, fc.constantFrom("private", "private", "group", "supergroup"), text, fc.boolean()).chain(([messageId, id, type, t, reply]) =>
    user(fc.constant(id)).map((from) => ({
      message_id: messageId,
      date: 1_700_000_000,
      chat: type === "private" ? { id, type, first_name: from.first_name } : { id: -100123, type, title: "Nhóm thôn 3" },
      from,
      text: t.text,
      ...("command" in t ? { entities: [{ type: "bot_command", offset: 0, length: t.command }] } : "mention" in t ? { entities: [{ type: "mention", offset: 0, length: t.mention }] } : {}),
      ...(reply ? { reply_to_message: { message_id: 1, date: 1_700_000_000, chat: { id, type: "private" }, from: { id: BOT_ID, is_bot: true, first_name: "Trợ lý số xã" }, text: "…" } } : {}),
    })),
  );
  const callback = fc.tuple(userId, fc.constantFrom(...CALLBACKS), fc.nat()).chain(([id, data, messageId]) =>
    user(fc.constant(id)).map((from) => ({
      id: `cb${messageId}`,
      from,
      chat_instance: "-42",
      data,
      message: { message_id: messageId, date: 1_700_000_000, chat: { id, type: "private" }, from: { id: BOT_ID, is_bot: true, first_name: "Trợ lý số xã" }, text: "…" },
    })),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ update_id: fc.nat(), message }) },
    { weight: 1, arbitrary: fc.record({ update_id: fc.nat(), callback_query: callback }) },
  );
}

/** Updates with wrong types, missing fields or garbage where Telegram puts objects. */
export function telegramMalformedArb(ctx: Pick<FuzzContext, "staffTelegramId">): fc.Arbitrary<unknown> {
  const any = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: jsonGarbage });
  const userId = any(fc.constantFrom(...TELEGRAM_USERS, ctx.staffTelegramId));
  const user = any(fc.record({ id: userId, is_bot: fc.boolean(), first_name: any(shortText) }, { requiredKeys: [] }));
  const entity = fc.record({ type: any(fc.constantFrom("bot_command", "mention")), offset: fc.integer({ min: -5, max: 60 }), length: fc.integer({ min: -5, max: 120 }) });
  const message = fc.record(
    {
      message_id: any(fc.nat()),
      date: any(fc.nat()),
      chat: any(fc.record({ id: userId, type: any(fc.constantFrom("private", "group", "channel")) }, { requiredKeys: [] })),
      from: user,
      text: any(fc.oneof(hostileText, fc.constantFrom(...COMMANDS))),
      entities: any(fc.array(entity, { maxLength: 3 })),
      reply_to_message: jsonGarbage,
      photo: jsonGarbage,
    },
    { requiredKeys: [] },
  );
  const callback = fc.record({ id: any(shortText), from: user, data: any(fc.oneof(fc.constantFrom(...CALLBACKS), shortText)), message: any(message) }, { requiredKeys: [] });
  return fc.oneof(
    fc.record({ update_id: any(fc.nat()), message }, { requiredKeys: ["update_id"] }),
    fc.record({ update_id: fc.nat(), callback_query: callback }),
    fc.record({ update_id: fc.nat(), edited_message: message, channel_post: message, my_chat_member: jsonGarbage }, { requiredKeys: ["update_id"] }),
    jsonGarbage,
  );
}

/** Telegram webhook requests with the right secret and a well-formed update. */
export function telegramCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  return telegramUpdateArb(ctx).map((value) =>
    httpCase("telegram", ctx.telegramPath, { kind: "json", value }, "application/json", { "x-telegram-bot-api-secret-token": ctx.telegramSecret }, "update"),
  );
}

function telegramGarbageBody(ctx: FuzzContext): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    { weight: 8, arbitrary: telegramMalformedArb(ctx).map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 2, arbitrary: jsonGarbage.map((value): BodySpec => ({ kind: "json", value })) },
    { weight: 3, arbitrary: rawBody },
    { weight: 1, arbitrary: bombs },
  );
}

/** Telegram webhook requests with the right secret and a malformed update or garbage. */
export function telegramGarbageCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  return fc
    .tuple(telegramGarbageBody(ctx), contentType("application/json"))
    .map(([body, type]) => httpCase("telegram-garbage", ctx.telegramPath, body, type, { "x-telegram-bot-api-secret-token": ctx.telegramSecret }, "secret"));
}

/** Telegram webhook requests with a missing or wrong secret. */
export function telegramForgedCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  const secret = fc.oneof(
    fc.constant<string | null>(null),
    // (Not " secret": HTTP itself trims the spaces around a header value.)
    fc.constantFrom("", "wrong", ctx.telegramSecret.slice(0, -1), `${ctx.telegramSecret}x`, ctx.telegramSecret.toUpperCase(), `${ctx.telegramSecret}\u00a0`),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  );
  const body = fc.oneof(telegramUpdateArb(ctx).map((value): BodySpec => ({ kind: "json", value })), telegramGarbageBody(ctx));
  return fc
    .tuple(body, contentType("application/json"), secret)
    .map(([b, type, s]) =>
      httpCase("telegram-forged", ctx.telegramPath, b, type, s === null ? {} : { "x-telegram-bot-api-secret-token": s }, `forged-secret:${s === null ? "missing" : "wrong"}`),
    );
}

/* ---------- console sign-in ---------- */

const formValue = fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 2, arbitrary: fc.constantFrom("admin", "ADMIN", "admin ", "thu.vhxh", "", "x".repeat(300)) }, { weight: 1, arbitrary: number });
const NEXT_VALUES = ["/console/thong-ke", "//evil.example", "https://evil.example", "/console/../../etc", "/console/api/stats", "javascript:alert(1)", "/console?%00"] as const;

/** The console sign-in form: real sessions and CSRF tokens, or none, with hostile fields and encodings. */
export function signInCaseArb(ctx: FuzzContext): fc.Arbitrary<HttpCase> {
  const session = fc.oneof(
    { weight: 8, arbitrary: fc.nat({ max: Math.max(0, ctx.consoleSessions.length - 1) }).map((i) => ctx.consoleSessions[i] ?? null) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._%-]{0,80}$/).map((c) => ({ cookie: `tlsx_console=${c}`, csrf: c })) },
  );
  const csrfChoice = fc.constantFrom("valid", "valid", "valid", "missing", "garbage", "twice");
  const fields = fc.record(
    { username: formValue, password: formValue, next: fc.oneof(fc.constantFrom(...NEXT_VALUES), shortText), extra: shortText },
    { requiredKeys: [] },
  );
  return fc.tuple(session, csrfChoice, fields, fc.constantFrom("form", "form", "form", "json", "raw"), fc.nat({ max: 9 }), rawBody, fc.constantFrom("", "?next=%2Fconsole%2Fthong-ke", "?a=%zz", "?next=//evil")).chain(
    ([s, csrfMode, f, encoding, typeIndex, raw, query]) => {
      const form = new URLSearchParams();
      const token = s?.csrf ?? "";
      if (csrfMode === "valid" || csrfMode === "twice") form.append("_csrf", token);
      if (csrfMode === "twice") form.append("_csrf", token);
      if (csrfMode === "garbage") form.append("_csrf", `${token}x`);
      for (const [k, v] of Object.entries(f)) if (v !== undefined) form.append(k === "extra" ? (v as string).slice(0, 10) || "x" : k, String(v));
      let body: BodySpec;
      let fits: string;
      if (encoding === "form") [body, fits] = [{ kind: "text", text: form.toString() }, "application/x-www-form-urlencoded"];
      else if (encoding === "json") [body, fits] = [{ kind: "json", value: { ...Object.fromEntries(form), ...(typeIndex === 0 ? { username: 5, password: ["a"] } : {}) } }, "application/json"];
      else [body, fits] = [raw, typeIndex % 2 ? "application/x-www-form-urlencoded" : "text/plain"];
      return contentType(fits).map((type) => httpCase("console-sign-in", `/console/dang-nhap${query}`, body, type, s ? { cookie: s.cookie } : {}, `sign-in:${encoding}:csrf=${csrfMode}:session=${s ? "yes" : "no"}`));
    },
  );
}

/* ============================================================================================
 * Checks (one input → null when it is fine, or what went wrong)
 * ========================================================================================== */

/** The outcome of one input: an exception (throw, crash, network failure) or a broken property. */
export interface Verdict {
  readonly exception?: string;
  readonly violation?: string;
}

const hasFoldableMark = /[\u0300-\u036f]/;

/**
 * Normalization properties for one string: fold is idempotent and leaves no Vietnamese marks,
 * đ or upper case; NFC, NFD and the raw input fold, tokenize, split into words and (with an
 * analyzer) analyze to the same result; toNfc is idempotent.
 */
export function checkNormalize(s: string, analyzer?: Analyzer): Verdict {
  try {
    const nfc = s.normalize("NFC");
    const nfd = s.normalize("NFD");
    const f = fold(s);
    if (fold(f) !== f) return { violation: "fold is not idempotent" };
    if (fold(nfc) !== f || fold(nfd) !== f) return { violation: "NFC and NFD fold differently" };
    if (hasFoldableMark.test(f) || /[đĐ]/.test(f)) return { violation: "fold left a Vietnamese mark or đ" };
    if (f.toLowerCase() !== f) return { violation: "fold left upper case" };
    if (toNfc(toNfc(s)) !== toNfc(s)) return { violation: "toNfc is not idempotent" };
    if (!isDeepStrictEqual(tokenize(fold(nfc)), tokenize(fold(nfd)))) return { violation: "NFC and NFD tokenize differently" };
    if (!isDeepStrictEqual(toWords(nfc), toWords(nfd))) return { violation: "NFC and NFD split into different words" };
    if (hasNoDiacritics(nfc) !== hasNoDiacritics(nfd)) return { violation: "NFC and NFD disagree on diacritics" };
    if (analyzer && !isDeepStrictEqual(analyzer.analyzeQuery(nfc), analyzer.analyzeQuery(nfd))) return { violation: "NFC and NFD analyze differently" };
    return {};
  } catch (err) {
    return { exception: describeError(err) };
  }
}

/** The parts of an answer a resident sees. */
const visible = (r: AnswerResult) => ({ answer: r.answer, kind: r.kind, commune: r.commune, sources: r.sources });

/**
 * `answer()` properties for one request: it resolves (never throws), the result passes
 * AnswerResultSchema, and, with `compareForms`, the NFD form of the question gets the same answer.
 */
export async function checkAnswer(engine: { answer(request: AnswerRequest): Promise<AnswerResult> }, request: AnswerRequest, compareForms = false): Promise<Verdict> {
  let result: AnswerResult;
  try {
    result = await engine.answer(request);
  } catch (err) {
    return { exception: describeError(err) };
  }
  const parsed = AnswerResultSchema.safeParse(result);
  if (!parsed.success) return { violation: `schema: ${issuesOf(parsed.error)}` };
  if (compareForms) {
    try {
      const nfd = await engine.answer({ ...request, question: request.question.normalize("NFD") });
      if (!isDeepStrictEqual(visible(nfd), visible(result))) return { violation: "NFC and NFD questions got different answers" };
    } catch (err) {
      return { exception: describeError(err) };
    }
  }
  return {};
}

const ErrorBodySchema = z.object({ error: z.object({ code: z.string().regex(/^[A-Z][A-Z_]+$/), message: z.string().min(1) }) });
const ZaloAckSchema = z.object({ ok: z.literal(true) });

/** A response as the fuzzer saw it. */
export interface HttpOutcome {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Response properties per target: never a 5xx; forged webhooks never a 2xx; the sign-in form never
 * signs garbage in (3xx); JSON error bodies carry an English code and a message; a 200 from
 * /api/ask is a valid public answer.
 */
export function checkHttp(c: HttpCase, r: HttpOutcome): Verdict {
  if (r.status >= 500) return { violation: `HTTP ${r.status}: ${r.text.slice(0, 200)}` };
  const ok = r.status >= 200 && r.status < 300;
  const isJson = r.contentType.startsWith("application/json");
  switch (c.target) {
    case "api-ask":
      if (ok) {
        const parsed = PublicAnswerSchema.safeParse(json(r.text));
        return parsed.success ? {} : { violation: `200 body is not a public answer: ${issuesOf(parsed.error)}` };
      }
      if (r.status >= 400 && !(isJson && ErrorBodySchema.safeParse(json(r.text)).success)) return { violation: `HTTP ${r.status} without an error code: ${r.text.slice(0, 120)}` };
      break;
    case "zalo-signed":
      if (ok && !ZaloAckSchema.safeParse(json(r.text)).success) return { violation: `2xx body is not an acknowledgement: ${r.text.slice(0, 120)}` };
      if (r.status >= 400 && !(isJson && ErrorBodySchema.safeParse(json(r.text)).success)) return { violation: `HTTP ${r.status} without an error code: ${r.text.slice(0, 120)}` };
      break;
    case "zalo-forged":
    case "telegram-forged":
      if (r.status < 400) return { violation: `forged request accepted with HTTP ${r.status}` };
      break;
    case "telegram":
      if (r.status !== 200) return { violation: `well-formed update answered HTTP ${r.status}: ${r.text.slice(0, 120)}` };
      break;
    case "telegram-garbage":
      break;
    case "console-sign-in":
      if (r.status >= 300 && r.status < 400) return { violation: `garbage sign-in redirected (HTTP ${r.status})` };
      // The form answers with a page; limits enforced before the console (body size) answer with an error code.
      if (!r.contentType.startsWith("text/html") && !(isJson && r.status >= 400 && ErrorBodySchema.safeParse(json(r.text)).success)) {
        return { violation: `sign-in answered ${r.contentType || "no content type"} (HTTP ${r.status})` };
      }
      break;
  }
  if (r.status < 200 || (r.status >= 300 && c.target !== "console-sign-in")) {
    if (r.status < 400) return { violation: `unexpected HTTP ${r.status}` };
  }
  return {};
}

/** The error code of a JSON error body, for the report. */
function errorCodeOf(r: HttpOutcome): string | null {
  const parsed = ErrorBodySchema.safeParse(json(r.text));
  return parsed.success ? parsed.data.error.code : null;
}

/** Connection resets retried by sendCase (process-wide), for the report. */
export const resets = { retried: 0 };

const isReset = (err: unknown) => {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET";
};

/**
 * Sends one case; a thrown error (connection reset, timeout) is an exception of the target. A
 * request that meets a reset is sent once more: a kept-alive connection can be closed by the
 * server just as the client reuses it (an HTTP race, rare; seen about once in 100,000 requests).
 * An input that makes the server drop its connection fails again and is reported.
 */
export async function sendCase(baseUrl: string, c: HttpCase, timeoutMs = 30_000): Promise<HttpOutcome> {
  const once = async () => {
    const res = await fetch(baseUrl + c.path, {
      method: "POST",
      headers: c.headers,
      ...(c.body ? { body: c.body } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
  };
  try {
    return await once();
  } catch (err) {
    if (!isReset(err)) throw err;
    resets.retried++;
    return once();
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}${err.cause instanceof Error ? ` (cause: ${err.cause.message})` : ""}`.slice(0, 300);
  return String(err).slice(0, 300);
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

/* ============================================================================================
 * The service under test, with loopback stand-ins for the Zalo and Telegram APIs
 * ========================================================================================== */

export const FUZZ_TELEGRAM_TOKEN = "123456:FUZZ-token-not-real-aaaaaaaaaaaaa";
export const FUZZ_TELEGRAM_SECRET = "fuzz_Secret-token";
export const FUZZ_ZALO_APP_ID = "1234567890123";
export const FUZZ_ZALO_OA_SECRET = "oa-secret-key-for-fuzzing";
export const FUZZ_CONSOLE_PASSWORD = "mat-khau-fuzz-Khong-Doan-Duoc-9";
const STAFF_TELEGRAM_ID = 777009;

const BOT_INFO = {
  id: BOT_ID,
  is_bot: true,
  first_name: "Trợ lý số xã",
  username: "tro_ly_so_xa_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

/** One loopback server answering both remote APIs like they do on success; counts the calls. */
async function startRemoteStub(): Promise<{ url: string; calls: { zalo: number; telegram: number }; close(): Promise<void> }> {
  const calls = { zalo: 0, telegram: 0 };
  let messageId = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (body: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const url = req.url ?? "";
      if (url === "/v3.0/oa/message/cs") {
        calls.zalo++;
        return send({ error: 0, message: "Success", data: { message_id: `m${++messageId}`, user_id: "0" } });
      }
      if (url === "/v4/oa/access_token") return send({ access_token: "fuzz-access", refresh_token: "fuzz-refresh", expires_in: "3600" });
      if (url.startsWith("/bot")) {
        calls.telegram++;
        const method = url.split("/").pop() ?? "";
        if (method === "getMe") return send({ ok: true, result: BOT_INFO });
        let chatId: unknown = 0;
        try {
          chatId = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { chat_id?: unknown }).chat_id ?? 0;
        } catch {
          // multipart (documents): no chat id needed
        }
        if (method.startsWith("send") || method.startsWith("edit")) return send({ ok: true, result: { message_id: ++messageId, date: 0, chat: { id: Number(chatId) || 0, type: "private" }, text: "" } });
        return send({ ok: true, result: true });
      }
      res.writeHead(404).end();
    });
  });
  // The service's clients keep connections alive; a stub that closed idle ones first (Node's
  // default is after 5 s) would race with their reuse and fail sends that did nothing wrong.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An error the service logged (level error or fatal): what, and from which component. */
export interface LoggedError {
  readonly msg: string;
  readonly component: string | null;
  readonly error: string | null;
}

/**
 * Opens the console sign-in form `count` times: a session cookie and a CSRF token each. Done
 * right before the sign-in target, so no kept-alive connection sits idle past the server's
 * keep-alive timeout (a client reusing one just as the server closes it sees a reset).
 */
export async function openSignInForms(baseUrl: string, count = 4): Promise<Array<{ cookie: string; csrf: string }>> {
  const sessions: Array<{ cookie: string; csrf: string }> = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/console/dang-nhap`, { redirect: "manual" });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    if (!cookie || !csrf) throw new Error(`could not open the console sign-in form (HTTP ${res.status})`);
    sessions.push({ cookie, csrf });
  }
  return sessions;
}

/** The running service with every channel on, and what the generators need to know about it. */
export interface FuzzService {
  readonly service: Service;
  readonly baseUrl: string;
  readonly context: FuzzContext;
  readonly remoteCalls: { zalo: number; telegram: number };
  /** Errors the service logged since the last call (handler failures caught by an error boundary, failed jobs, 5xx). */
  takeLoggedErrors(): LoggedError[];
  /** Waits (at most `timeoutMs`) until the Zalo channel has answered every event it acknowledged. */
  zaloIdle(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts the real service on 127.0.0.1 (random port, fresh data directory, the real knowledge
 * folder) with the Zalo channel, the Telegram webhook and the console on. Its log is kept in
 * memory at level error (and echoed to stderr with `echoLog`), so errors caught inside the
 * service, which never show in a status code, are counted too.
 */
export async function startFuzzService(options: { echoLog?: boolean } = {}): Promise<FuzzService> {
  const remote = await startRemoteStub();
  const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-fuzz-"));
  const telegramUrl = "https://xa.example.vn/webhooks/telegram";
  const config = createConfig({
    KNOWLEDGE_DIR: path.join(ROOT, "knowledge"),
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "error",
    // The fuzzer is one client sending as fast as it can: per-IP limits on the API would turn most
    // of its questions into 429s before they reach the parser.
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    TELEGRAM_BOT_TOKEN: FUZZ_TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_URL: telegramUrl,
    TELEGRAM_WEBHOOK_SECRET: FUZZ_TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: remote.url,
    // Each update handled within its request (no joining of quick messages), so a handler that
    // fails is logged while its case runs.
    TELEGRAM_JOIN_QUIET_MS: "0",
    STAFF_TELEGRAM_IDS: String(STAFF_TELEGRAM_ID),
    ZALO_APP_ID: FUZZ_ZALO_APP_ID,
    ZALO_OA_SECRET_KEY: FUZZ_ZALO_OA_SECRET,
    ZALO_APP_SECRET_KEY: "app-secret-for-fuzzing",
    ZALO_ACCESS_TOKEN: "fuzz-access",
    ZALO_REFRESH_TOKEN: "fuzz-refresh",
    ZALO_API_BASE_URL: remote.url,
    ZALO_OAUTH_BASE_URL: remote.url,
    CONSOLE_PASSWORD: FUZZ_CONSOLE_PASSWORD,
  });
  let logged: LoggedError[] = [];
  const logger = pino(
    { name: "tro-ly-so-fuzz", level: "error" },
    {
      write(line: string) {
        if (options.echoLog) process.stderr.write(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; component?: string; err?: { message?: string } };
          logged.push({ msg: entry.msg ?? "", component: entry.component ?? null, error: entry.err?.message?.slice(0, 200) ?? null });
        } catch {
          logged.push({ msg: line.slice(0, 200), component: null, error: null });
        }
      },
    },
  );
  let service: Service;
  try {
    service = await startService(config, logger, { telegramBotInfo: BOT_INFO, telegramAutoRetry: false, zaloRetryBaseMs: 10 });
  } catch (err) {
    await remote.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${service.port}`;
  return {
    service,
    baseUrl,
    remoteCalls: remote.calls,
    context: {
      zaloAppId: FUZZ_ZALO_APP_ID,
      zaloOaSecret: FUZZ_ZALO_OA_SECRET,
      telegramPath: new URL(telegramUrl).pathname,
      telegramSecret: FUZZ_TELEGRAM_SECRET,
      now: Date.now(),
      consoleSessions: [],
      staffTelegramId: STAFF_TELEGRAM_ID,
    },
    takeLoggedErrors() {
      const out = logged;
      logged = [];
      return out;
    },
    async zaloIdle(timeoutMs = 60_000) {
      const zalo = service.zalo;
      if (!zalo) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = await Promise.race([zalo.idle().then(() => true as const), timedOut]);
      clearTimeout(timer);
      return done;
    },
    async stop() {
      await service.stop();
      await remote.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/* ============================================================================================
 * The run
 * ========================================================================================== */

export type Target = "normalize" | "answer" | HttpTarget;

/** Share of `--runs` per target: cheap in-process checks get the most, HTTP targets the rest. */
export const TARGET_WEIGHTS: Readonly<Record<Target, number>> = {
  normalize: 30,
  answer: 20,
  "api-ask": 13,
  "zalo-signed": 10,
  "zalo-forged": 6,
  // A well-formed update runs the whole bot (answer, database, replies): the slowest target.
  telegram: 3,
  "telegram-garbage": 5,
  "telegram-forged": 3,
  "console-sign-in": 10,
};

/**
 * Where an error the service logs is not a failure: malformed updates that carry the right
 * Telegram secret may trip a handler; the bot's error boundary logs it, apologises and answers
 * 200, because Telegram resends any update that gets another status (see README).
 */
const LOGGED_ERRORS_EXPECTED: ReadonlySet<Target> = new Set(["telegram-garbage"]);

export interface TargetReport {
  readonly target: Target;
  inputs: number;
  status: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /** Thrown errors, crashes and network failures seen by the fuzzer. */
  exceptions: number;
  /** Broken properties: schema violations, 5xx, forged requests accepted, wrong bodies. */
  violations: number;
  /** Errors the service logged while the target ran (caught inside the service). */
  loggedErrors: number;
  /** Whether logged errors count as failures for this target. */
  readonly loggedErrorsFail: boolean;
  /** Error codes of JSON error bodies, and HTTP statuses, with counts. */
  codes: Record<string, number>;
  /** The first few failures, with the input that caused them. */
  failures: Array<{ input: string; problem: string }>;
  ms: number;
}

/** Inputs of a report that failed: exceptions, violations, and logged errors where they count. */
export function failuresOf(r: TargetReport): number {
  return r.exceptions + r.violations + (r.loggedErrorsFail ? r.loggedErrors : 0);
}

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  /** Requests in flight at once against the service. */
  readonly concurrency: number;
  /** Echo the service's error log to stderr. */
  readonly echoLog?: boolean;
  readonly onTarget?: (report: TargetReport) => void;
}

/** Splits `runs` among the targets by weight (each target gets at least one input). */
export function planRuns(runs: number): Record<Target, number> {
  const targets = Object.keys(TARGET_WEIGHTS) as Target[];
  const total = targets.reduce((s, t) => s + TARGET_WEIGHTS[t], 0);
  return Object.fromEntries(targets.map((t) => [t, Math.max(1, Math.round((runs * TARGET_WEIGHTS[t]) / total))])) as Record<Target, number>;
}

const BATCH = 250;
const MAX_FAILURES_KEPT = 5;

/** Generates `count` values of `arb` lazily, in seeded batches (same seed → same inputs). */
function* generate<T>(arb: fc.Arbitrary<T>, count: number, seed: number): Generator<T> {
  for (let start = 0, batch = 0; start < count; start += BATCH, batch++) {
    yield* fc.sample(arb, { numRuns: Math.min(BATCH, count - start), seed: (seed + batch * 7919) | 0 });
  }
}

function newReport(target: Target): TargetReport {
  return {
    target,
    inputs: 0,
    status: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
    exceptions: 0,
    violations: 0,
    loggedErrors: 0,
    loggedErrorsFail: !LOGGED_ERRORS_EXPECTED.has(target),
    codes: {},
    failures: [],
    ms: 0,
  };
}

function preview(input: unknown): string {
  const text = typeof input === "string" ? JSON.stringify(input) : JSON.stringify(input, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : v));
  return (text ?? String(input)).length > 300 ? `${(text ?? "").slice(0, 300)}… (${(text ?? "").length} chars)` : (text ?? String(input));
}

function record(report: TargetReport, input: unknown, verdict: Verdict): void {
  report.inputs++;
  const problem = verdict.exception ? `exception: ${verdict.exception}` : verdict.violation;
  if (verdict.exception) report.exceptions++;
  else if (verdict.violation) report.violations++;
  if (problem && report.failures.length < MAX_FAILURES_KEPT) report.failures.push({ input: preview(input), problem });
}

/** Counts the errors the service logged while a target ran (the first few are kept as failures). */
function recordLogged(report: TargetReport, errors: readonly LoggedError[]): void {
  report.loggedErrors += errors.length;
  if (!report.loggedErrorsFail) return;
  for (const e of errors.slice(0, Math.max(0, MAX_FAILURES_KEPT - report.failures.length))) {
    report.failures.push({ input: "(logged by the service)", problem: `${e.component ?? "service"}: ${e.msg}${e.error ? `: ${e.error}` : ""}` });
  }
}

/** Runs `work` over the items with at most `limit` in flight. */
async function pool<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Runs every target and returns one report per target. */
export async function runFuzz(options: FuzzOptions): Promise<TargetReport[]> {
  const plan = planRuns(options.runs);
  const reports: TargetReport[] = [];
  const fuzz = await startFuzzService(options.echoLog ? { echoLog: true } : {});
  try {
    const engine = fuzz.service.engine;
    const analyzer = engine.knowledge.analyzer;
    fuzz.takeLoggedErrors();
    const finish = (report: TargetReport, started: number) => {
      report.ms = Math.round(performance.now() - started);
      recordLogged(report, fuzz.takeLoggedErrors());
      reports.push(report);
      options.onTarget?.(report);
    };

    let started = performance.now();
    const normalize = newReport("normalize");
    for (const s of generate(hostileText, plan.normalize, options.seed)) record(normalize, s, checkNormalize(s, analyzer));
    finish(normalize, started);

    started = performance.now();
    const answer = newReport("answer");
    let i = 0;
    for (const request of generate(answerRequestArb, plan.answer, options.seed + 1)) {
      // Every fourth question is also asked in NFD, which must not change the answer.
      record(answer, request, await checkAnswer(engine, request, i++ % 4 === 0));
    }
    finish(answer, started);

    const http: Array<[HttpTarget, () => Promise<fc.Arbitrary<HttpCase>>]> = [
      ["api-ask", async () => apiAskCaseArb()],
      ["zalo-signed", async () => zaloSignedCaseArb(fuzz.context)],
      ["zalo-forged", async () => zaloForgedCaseArb(fuzz.context)],
      ["telegram", async () => telegramCaseArb(fuzz.context)],
      ["telegram-garbage", async () => telegramGarbageCaseArb(fuzz.context)],
      ["telegram-forged", async () => telegramForgedCaseArb(fuzz.context)],
      ["console-sign-in", async () => signInCaseArb({ ...fuzz.context, consoleSessions: await openSignInForms(fuzz.baseUrl) })],
    ];
    for (const [index, [target, makeArb]] of http.entries()) {
      const arb = await makeArb();
      started = performance.now();
      const report = newReport(target);
      await pool(generate(arb, plan[target], options.seed + 2 + index), options.concurrency, async (c) => {
        let outcome: HttpOutcome;
        try {
          outcome = await sendCase(fuzz.baseUrl, c);
        } catch (err) {
          record(report, c, { exception: describeError(err) });
          return;
        }
        const bucket = `${Math.floor(outcome.status / 100)}xx` as keyof TargetReport["status"];
        if (bucket in report.status) report.status[bucket]++;
        const code = errorCodeOf(outcome) ?? String(outcome.status);
        report.codes[code] = (report.codes[code] ?? 0) + 1;
        record(report, c, checkHttp(c, outcome));
      });
      // Zalo answers after acknowledging: the events accepted are answered before the next target.
      if (target === "zalo-signed" && !(await fuzz.zaloIdle())) record(report, "(zalo jobs)", { violation: "acknowledged Zalo events still unanswered after 60 s" });
      finish(report, started);
    }
  } finally {
    await fuzz.stop();
  }
  return reports;
}

/** The summary table printed by `npm run fuzz`. */
export function formatReports(reports: readonly TargetReport[], seed: number): string {
  const head = ["target", "inputs", "2xx", "3xx", "4xx", "5xx", "exceptions", "violations", "logged", "inputs/s"];
  const inProcess = (t: Target) => t === "normalize" || t === "answer";
  const rows = reports.map((r) => [
    r.target,
    String(r.inputs),
    ...(["2xx", "3xx", "4xx", "5xx"] as const).map((b) => (inProcess(r.target) ? "-" : String(r.status[b]))),
    String(r.exceptions),
    String(r.violations),
    `${r.loggedErrors}${r.loggedErrorsFail ? "" : "*"}`,
    String(Math.round((r.inputs * 1000) / Math.max(1, r.ms))),
  ]);
  const sum = (f: (r: TargetReport) => number) => String(reports.reduce((s, r) => s + f(r), 0));
  rows.push([
    "total",
    sum((r) => r.inputs),
    sum((r) => r.status["2xx"]),
    sum((r) => r.status["3xx"]),
    sum((r) => r.status["4xx"]),
    sum((r) => r.status["5xx"]),
    sum((r) => r.exceptions),
    sum((r) => r.violations),
    sum((r) => r.loggedErrors),
    "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const out = [`seed ${seed}`, line(head), ...rows.map(line)];
  out.push("logged: errors the service logged (caught inside it); * = expected there, not a failure");
  out.push(`connection resets retried once: ${resets.retried}`);
  for (const r of reports.filter((x) => !inProcess(x.target))) {
    const codes = Object.entries(r.codes)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c}×${n}`)
      .join(", ");
    out.push(`  ${r.target}: ${codes}`);
  }
  for (const r of reports) {
    for (const f of r.failures) out.push(`FAIL ${r.target}: ${f.problem}\n  input: ${f.input}`);
  }
  return out.join("\n");
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: "string", default: "100000" },
        seed: { type: "string" },
        concurrency: { type: "string", default: "16" },
        out: { type: "string" },
        verbose: { type: "boolean", short: "v", default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: npm run fuzz [-- --runs N] [--seed S] [--concurrency C] [--out report.json] [--verbose]\n`);
    return 2;
  }
  const runs = Number(values.runs);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    process.stderr.write("--runs must be a positive integer, --seed an integer, --concurrency 1–256\n");
    return 2;
  }
  const started = performance.now();
  process.stderr.write(`fuzzing ${runs} inputs (seed ${seed}, ${concurrency} requests in flight)\n`);
  const reports = await runFuzz({
    runs,
    seed,
    concurrency,
    echoLog: values.verbose,
    onTarget: (r) => process.stderr.write(`  ${r.target}: ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s\n`),
  });
  process.stdout.write(`${formatReports(reports, seed)}\n`);
  const failed = reports.reduce((s, r) => s + failuresOf(r), 0);
  process.stdout.write(`${failed === 0 ? "ok" : `FAILED: ${failed} failures`} in ${((performance.now() - started) / 1000).toFixed(1)} s (rerun with --seed ${seed})\n`);
  if (values.out) await writeFile(values.out, `${JSON.stringify({ seed, runs, reports }, null, 2)}\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${describeError(err)}\n`);
      process.exitCode = 1;
    },
  );
}
