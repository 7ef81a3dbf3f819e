import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG, type Config } from "../../src/config/index.ts";
import { createPlinth, type Plinth, type PlinthOverrides } from "../../src/plinth.ts";
import type { Json } from "./json.ts";
import { freshPostgresSchema } from "./postgres.ts";

/** A running Plinth on a free loopback port with its own temporary data directory. */
export interface TestServer {
  readonly app: Plinth;
  readonly url: string;
  readonly dir: string;
  /** A superuser token (superuser created on first call). */
  superuserToken(): Promise<string>;
  /** fetch against the server with JSON in and out. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  close(): Promise<void>;
}

/** Cheap argon2 parameters so tests spend time on behaviour, not hashing. */
export const FAST_ARGON2 = { memoryKiB: 256, passes: 1, parallelism: 1 } as const;

export const SUPERUSER = { email: "root@example.com", password: "rootpassword123" } as const;

/**
 * When set (e.g. `PLINTH_TEST_DB=postgres://postgres@127.0.0.1:5432/test npm test`), every test server
 * runs on PostgreSQL in a schema of its own, dropped on close; otherwise on SQLite in a temp directory.
 */
export const TEST_DB = process.env["PLINTH_TEST_DB"] || undefined;

/** Starts a server; always close() it in an `after` hook. */
export async function startTestServer(
  overrides: Partial<Config> = {},
  plinthOverrides: Omit<PlinthOverrides, "argon2"> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "plinth-test-"));
  const schema =
    TEST_DB !== undefined && overrides.db === undefined ? await freshPostgresSchema(TEST_DB) : undefined;
  const config: Config = {
    ...DEFAULT_CONFIG,
    dir,
    port: 0,
    logLevel: (process.env["PLINTH_TEST_LOG"] as Config["logLevel"] | undefined) ?? "silent",
    ...(schema ? { db: schema.url } : {}),
    ...overrides,
  };
  const app = await createPlinth(config, { argon2: FAST_ARGON2, ...plinthOverrides });
  const url = await app.listen();
  let token: string | undefined;

  async function request(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers["authorization"] = options.token;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // non-JSON body stays text
    }
    return { status: res.status, body: parsed as Json, headers: res.headers };
  }

  return {
    app,
    url,
    dir,
    request,
    async superuserToken() {
      if (token) return token;
      await app.services.auth.upsertSuperuser(SUPERUSER.email, SUPERUSER.password);
      const res = await request("POST", "/api/collections/_superusers/auth-with-password", {
        body: { identity: SUPERUSER.email, password: SUPERUSER.password },
      });
      if (res.status !== 200)
        throw new Error(`superuser login failed: ${res.status} ${JSON.stringify(res.body)}`);
      token = String(res.body.token);
      return token;
    },
    async close() {
      await app.close();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
