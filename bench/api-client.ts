import { deadline } from "./deadline.ts";

/** A JSON response from the server under test. */
export interface ApiResponse {
  readonly status: number;
  readonly json: unknown;
}

/** Options for one API call. */
export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Throw unless the status is 2xx (default true). */
  readonly check?: boolean;
}

/** Calls `method path` on `base` with a JSON body; throws with the server's message on a non-2xx reply. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (opts.token) headers["authorization"] = opts.token;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const limit = deadline(30_000);
  let res: Response;
  let text: string;
  try {
    res = await fetch(base + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: limit.signal,
    });
    text = await res.text();
  } finally {
    limit.clear();
  }
  let json: unknown = text;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    // keep the raw text for the error message
  }
  if (opts.check !== false && (res.status < 200 || res.status > 299)) {
    throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  }
  return { status: res.status, json };
}

/** Reads `obj[key]` as a string or throws naming what was expected. */
export function str(obj: unknown, key: string, what: string): string {
  const v = typeof obj === "object" && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
  if (typeof v !== "string" || v === "")
    throw new Error(`${what}: expected string "${key}" in ${JSON.stringify(obj)}`);
  return v;
}
