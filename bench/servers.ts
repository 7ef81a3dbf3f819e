import { fileURLToPath } from "node:url";
import { type Child, type ChildRegistry, delay, freePort, waitHealthy } from "./child.ts";

/** The repository root: children run with it as their working directory. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HEALTH_DEADLINE_MS = 30_000;

/** A server child that answered /api/health. */
export interface Server {
  readonly child: Child;
  readonly base: string;
  /** spawn → first 200 from /api/health, ms. */
  readonly healthyMs: number;
}

/** Runs a Node child to completion (e.g. `plinth superuser upsert`); throws with its output unless it exits 0. */
export async function runToExit(
  registry: ChildRegistry,
  name: string,
  args: string[],
  timeoutMs: number,
): Promise<void> {
  const child = registry.start(name, args, ROOT);
  const code = await Promise.race([child.exited, delay(timeoutMs).then(() => "timeout")]);
  if (code === "timeout") await registry.stop(child);
  if (code !== "0") throw new Error(`${name} failed (${code}):\n${child.output()}`);
}

/** Spawns a server on a free port and waits until it is healthy. */
export async function startServer(
  registry: ChildRegistry,
  name: string,
  args: (port: number) => string[],
): Promise<Server> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = registry.start(name, args(port), ROOT);
  const base = `http://127.0.0.1:${port}`;
  const healthyMs = await waitHealthy(`${base}/api/health`, child, {
    startedAt,
    deadlineMs: HEALTH_DEADLINE_MS,
  });
  return { child, base, healthyMs };
}

/** Where a Plinth under test keeps its data: a directory (SQLite) and, on PostgreSQL, a database URL. */
export interface PlinthData {
  readonly dir: string;
  readonly db?: string;
}

/** `node bin/plinth.js <command…> --dir … [--db …]`. */
export function plinthArgs(data: PlinthData, command: readonly string[]): string[] {
  return [
    "bin/plinth.js",
    ...command,
    "--dir",
    data.dir,
    ...(data.db === undefined ? [] : ["--db", data.db]),
  ];
}

/** Creates the bench superuser with the CLI, as an operator would. */
export async function createSuperuser(
  registry: ChildRegistry,
  data: PlinthData,
  superuser: { readonly email: string; readonly password: string },
): Promise<void> {
  await runToExit(
    registry,
    "plinth superuser",
    plinthArgs(data, ["superuser", "upsert", superuser.email, superuser.password]),
    60_000,
  );
}

/** `plinth serve` on a free port, silent logs, `--workers` when more than one. */
export function startPlinth(
  registry: ChildRegistry,
  data: PlinthData,
  opts: { readonly name: string; readonly workers: number },
): Promise<Server> {
  return startServer(registry, opts.name, (port) =>
    plinthArgs(data, [
      "serve",
      "--http",
      `127.0.0.1:${port}`,
      "--log-level",
      "silent",
      "--workers",
      String(opts.workers),
    ]),
  );
}
