/**
 * Zalo webhook signatures. Each event carries `X-ZEvent-Signature: mac=<hex>`, where the hex is
 * sha256(app_id + raw body + timestamp + OA secret key). The raw body must be hashed exactly as
 * received (re-serialised JSON would not match), and the comparison is constant-time.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-zevent-signature";

/** The hex mac Zalo sends for this body. */
export function zaloMac(appId: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return createHash("sha256").update(appId + rawBody + timestamp + oaSecretKey, "utf8").digest("hex");
}

/** The header value for this body (`mac=<hex>`), as Zalo would send it. */
export function signatureHeader(appId: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return `mac=${zaloMac(appId, rawBody, timestamp, oaSecretKey)}`;
}

/** The hex digest from a header value (`mac=<hex>`, or the bare hex), lowercased; null if malformed. */
export function parseSignatureHeader(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const m = /^\s*(?:mac=)?([0-9a-fA-F]{64})\s*$/.exec(raw);
  return m ? (m[1] as string).toLowerCase() : null;
}

export type VerifyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: "missing" | "mismatch" | "stale" };

export interface VerifyInput {
  readonly header: string | string[] | undefined;
  readonly rawBody: string;
  /** The event's `timestamp` field exactly as it appears in the body (epoch milliseconds). */
  readonly timestamp: string | null;
  readonly appId: string;
  readonly oaSecretKey: string;
  /** Events whose timestamp is further than this from `now` are refused (replay window). */
  readonly maxAgeMs: number;
  readonly now: number;
}

/**
 * Checks the mac first (a forged request learns nothing about the window), then the timestamp.
 * The replay window only has to cover Zalo's own resends; within it, a replayed event is caught
 * by the event-id de-duplication instead.
 */
export function verifySignature(input: VerifyInput): VerifyOutcome {
  const given = parseSignatureHeader(input.header);
  if (!given || input.timestamp === null) return { ok: false, reason: "missing" };
  const expected = Buffer.from(zaloMac(input.appId, input.rawBody, input.timestamp, input.oaSecretKey), "hex");
  if (!timingSafeEqual(Buffer.from(given, "hex"), expected)) return { ok: false, reason: "mismatch" };
  const at = Number(input.timestamp);
  if (!Number.isFinite(at) || Math.abs(input.now - at) > input.maxAgeMs) return { ok: false, reason: "stale" };
  return { ok: true };
}
