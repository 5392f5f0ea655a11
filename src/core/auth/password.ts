/**
 * Staff password hashing with scrypt (node:crypto): a random salt per password, the parameters
 * stored with the hash so they can be raised later, constant-time comparison on verify.
 * Format: `scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** Shortest accepted password, in characters. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest accepted password, in characters (bounds the work an attacker can ask for). */
export const MAX_PASSWORD_LENGTH = 256;

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = "scrypt";

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, length: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; allow twice that so raised parameters still fit.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Why a password is not acceptable, in Vietnamese, or null when it is. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`;
  if (length > MAX_PASSWORD_LENGTH) return `Mật khẩu dài quá ${MAX_PASSWORD_LENGTH} ký tự.`;
  if (password.trim() !== password) return "Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng.";
  return null;
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, LOG_N, R, P, KEY_BYTES);
  return [PREFIX, LOG_N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface Parsed {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): Parsed | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(parts[4] as string, "base64url");
  const key = Buffer.from(parts[5] as string, "base64url");
  if (salt.length < 8 || key.length < 16) return null;
  return { logN, r, p, salt, key };
}

/** A hash of a random password: verifying against it costs the same as against a real one. */
let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash in constant time. With `stored` undefined (unknown
 * user) it still does the same work, so response times do not reveal which usernames exist.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(18).toString("base64url"));
  const parsed = parseHash(stored ?? (await decoy)) ?? parseHash(await decoy);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.logN, parsed.r, parsed.p, parsed.key.length);
  const same = timingSafeEqual(candidate, parsed.key);
  return same && stored !== undefined && parseHash(stored) !== null;
}

/** Accepted staff usernames: 2–32 characters, lowercase letters, digits, dot, dash, underscore. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

/** Why a username is not acceptable, in Vietnamese, or null when it is. */
export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username)
    ? null
    : "Tên đăng nhập gồm 2–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới, bắt đầu bằng chữ hoặc số.";
}
