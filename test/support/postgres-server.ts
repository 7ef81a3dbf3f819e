// Helpers for tests that run real `plinth serve` processes on PostgreSQL: JSON calls with a bounded
// wait, a superuser login, a public collection, and the error-body checks resilience tests share.
import assert from "node:assert/strict";
import type { Json } from "./json.ts";
import { runCli } from "./spawn-server.ts";

/** How long one test request may take before the test gives up on it: far past every server timeout. */
export const CLIENT_TIMEOUT_MS = 20_000;

/** A JSON response: status, parsed body, and the raw text (for checks that nothing leaked). */
export interface JsonReply {
  readonly status: number;
  readonly body: Json;
  readonly text: string;
}

/**
 * Calls the API with JSON in and out. The request is aborted after CLIENT_TIMEOUT_MS, so a server
 * that hangs fails the test with a clear message instead of stalling it.
 */
export async function call(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<JsonReply> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers["authorization"] = init.token;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: init.method ?? "GET",
      headers,
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (err) {
    if ((err as Error).name === "TimeoutError")
      throw new Error(
        `${init.method ?? "GET"} ${path} got no answer within ${CLIENT_TIMEOUT_MS} ms (a hang)`,
      );
    throw err;
  }
  const text = await res.text();
  let body: Json = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // not JSON: kept as text, and the shape checks will say so
  }
  return { status: res.status, body, text };
}

// What must never reach a client: SQL, driver and system error text, stack frames, file paths, addresses.
const LEAKS =
  /SELECT|INSERT|UPDATE |DELETE |LOCK|pg_|ECONN|EPIPE|ETIMEDOUT|Connection terminated|timeout exceeded|Query read timeout|statement timeout|canceling|node_modules|\/src\/|\.ts:\d|\bat \w|127\.0\.0\.1|5432/i;

/**
 * Asserts `reply` is the shared 503 error body (`unavailable`) with a clear message and nothing leaked;
 * `message`, when given, is what that message must say.
 */
export function assertUnavailable(reply: JsonReply, what: string, message?: RegExp): void {
  assert.equal(reply.status, 503, `${what}: expected 503, got ${reply.status} ${reply.text}`);
  assert.deepEqual(
    Object.keys(reply.body ?? {}).sort(),
    ["data", "message", "status"],
    `${what}: ${reply.text}`,
  );
  assert.equal(reply.body.status, 503, what);
  assert.deepEqual(reply.body.data, {}, what);
  assert.match(reply.body.message, /database/i, `${what}: the message names the database: ${reply.text}`);
  assert.match(reply.body.message, /unavailable|busy/i, `${what}: the message says why: ${reply.text}`);
  if (message !== undefined) assert.match(reply.body.message, message, what);
  assert.doesNotMatch(reply.text, LEAKS, `${what}: nothing internal in the body`);
}

/** Creates a superuser directly on the database (`plinth superuser upsert`) and returns its credentials. */
export async function upsertSuperuser(db: string): Promise<{ identity: string; password: string }> {
  const identity = "admin@example.com";
  const password = "password123";
  const made = await runCli(["superuser", "upsert", identity, password, "--db", db]);
  assert.equal(made.code, 0, made.stderr);
  return { identity, password };
}

/** Logs the superuser in on `base` and returns the token. */
export async function superuserToken(
  base: string,
  credentials: { identity: string; password: string },
): Promise<string> {
  const login = await call(base, "/api/collections/_superusers/auth-with-password", {
    method: "POST",
    body: credentials,
  });
  assert.equal(login.status, 200, login.text);
  return String(login.body.token);
}

/** Creates a base collection anyone may list, view, create, update and delete in. */
export async function createPublicCollection(base: string, token: string, name: string): Promise<void> {
  const created = await call(base, "/api/collections", {
    method: "POST",
    token,
    body: {
      name,
      type: "base",
      fields: [{ name: "title", type: "text" }],
      listRule: "",
      viewRule: "",
      createRule: "",
      updateRule: "",
      deleteRule: "",
    },
  });
  assert.equal(created.status, 200, created.text);
}
