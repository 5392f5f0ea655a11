/**
 * Error facts safe for logs, shared by the channels: the name and message of an error (and its
 * stack), never a request's payload, headers or tokens. Channels add what their own error types
 * carry (Telegram's method and description, Zalo's error code) through `known`.
 */
export function errorFacts(err: unknown, known?: (err: unknown) => Record<string, unknown> | null): Record<string, unknown> {
  const specific = known?.(err);
  if (specific) return specific;
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    return { name: err.name, message: err.message, ...(status !== undefined ? { status } : {}), stack: err.stack };
  }
  return { error: String(err) };
}
