/**
 * A fetch that gives up after `ms` (the `ollama` client takes no timeout of its own, and
 * LangChain's abort signal does not reach its requests). The caller's own signal still applies.
 */
export function timeoutFetch(ms: number): typeof fetch {
  return (input, init) => {
    const signals = [AbortSignal.timeout(ms), ...(init?.signal ? [init.signal] : [])];
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
}
