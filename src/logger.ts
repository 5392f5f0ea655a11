import { pino, type Logger } from "pino";

/** Creates the process logger. Logs go to stderr so CLI output on stdout stays parseable. */
export function createLogger(level: string, name = "tro-ly-so"): Logger {
  return pino({ name, level, redact: { paths: ["req.headers.authorization", "*.token", "*.apiKey", "*.access_token", "*.refresh_token", "*.secret_key", "*.accessToken", "*.refreshToken"], remove: true } }, pino.destination(2));
}
export type { Logger };
