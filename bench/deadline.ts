/**
 * An abort signal that fires after `ms`, on a timer that holds the event loop (AbortSignal.timeout's does
 * not): a request to a server that accepted the connection and went quiet ends in an error, never in a
 * silent exit of the harness with its children and bench schema left behind. Call `clear` when done.
 */
export function deadline(ms: number): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
