/** Small HTTP helpers every console route module shares: replies, input parsing, safe redirects. */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod/v4";
import { AppError } from "../../../../core/errors.js";
import { BASE } from "../layout.js";
import { CONSOLE_ERRORS, type ConsoleErrorCode } from "../texts.js";

/** Name of the console's session cookie (path /console only). */
export const SESSION_COOKIE = "tlsx_console";
/** Longest question or answer staff may type. */
export const MAX_TEXT = 2000;

/** Changes when the password changes, so a new password ends the other sessions. */
export const hashKey = (passwordHash: string) => createHash("sha256").update(passwordHash).digest("base64url").slice(0, 22);

export const isApi = (request: FastifyRequest) => request.url.startsWith(`${BASE}/api/`);

export function apiError(reply: FastifyReply, status: number, code: ConsoleErrorCode, detail?: Record<string, unknown>) {
  return reply.code(status).header("Cache-Control", "no-store").send({ error: { code, message: CONSOLE_ERRORS[code], ...detail } });
}

export function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).type("text/html; charset=utf-8").header("Cache-Control", "no-store").send(body);
}

/** Only console pages are valid targets after sign-in or an action (no open redirect). */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== "string") return fallback;
  return /^\/console(?:\/[A-Za-z0-9\-/]*)?(?:\?[A-Za-z0-9\-_=&%.]*)?$/.test(next) && !next.startsWith(`${BASE}/api`) ? next : fallback;
}

/* ---------- input schemas (zod at every boundary) ---------- */

/** A required text field: NFC, trimmed, 1..max characters. */
export const text = (max: number) => z.string().transform((s) => s.normalize("NFC").trim()).pipe(z.string().min(1).max(max));
export const IdParams = z.object({ id: z.coerce.number().int().positive() });

/** Validates a request part; a failure becomes AppError INVALID_BODY (400 in the console). */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new AppError("INVALID_BODY", result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return result.data;
}
