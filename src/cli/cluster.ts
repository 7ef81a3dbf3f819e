import cluster, { type Address, type Worker } from "node:cluster";
import type { Config } from "../config/index.ts";
import { createPlinth, startWorkerBusRelay } from "../plinth.ts";

/** The one-process `serve` path that every worker runs. */
export type ServeOne = (config: Config, options: { readonly superuserHint: boolean }) => Promise<number>;

/** More restarts than this within RESTART_WINDOW_MS means the workers are crash-looping: give up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;
/** How much longer than a worker's own drain (config.shutdownTimeoutMs) the primary waits before SIGKILL. */
const KILL_MARGIN_MS = 5_000;

function say(line: string): void {
  process.stdout.write(`plinth: ${line}\n`);
}

function complain(line: string): void {
  process.stderr.write(`plinth: ${line}\n`);
}

/**
 * `plinth serve --workers N`: in the primary, runs start-up once, forks N workers that share the
 * listening port (node:cluster round-robin), restarts crashed ones and drains them all on SIGTERM;
 * in a worker, runs the one-process path. Resolves with the process exit code.
 */
export function serveCluster(config: Config, serveOne: ServeOne): Promise<number> {
  return cluster.isWorker ? serveWorker(config, serveOne) : servePrimary(config);
}

async function serveWorker(config: Config, serveOne: ServeOne): Promise<number> {
  // the primary prints the superuser hint once for all workers
  const code = await serveOne(config, { superuserHint: false });
  // the IPC channel to the primary would keep this process alive after the server has closed
  cluster.worker?.disconnect();
  return code;
}

function describeExit(worker: Worker, code: number | null, signal: string | null): string {
  return `worker ${worker.process.pid} exited (${signal ?? `code ${code}`})`;
}

function urlOf(address: Address): string {
  const host = address.address ?? "";
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

async function servePrimary(config: Config): Promise<number> {
  // Start-up work that must happen once (data directory, database file, system collections) runs
  // here, before any worker exists, so workers never race to bootstrap the same database.
  let needsSuperuser: boolean;
  try {
    const app = await createPlinth(config);
    try {
      needsSuperuser = !(await app.services.auth.hasSuperuser());
    } finally {
      await app.close();
    }
  } catch (err) {
    complain(`cannot start: ${(err as Error).message}`);
    return 1;
  }

  // On the embedded store (no --db, no --redis) the workers' buses talk through the primary over
  // cluster IPC, so a write or schema change on one worker reaches the others. Started before any
  // fork so no worker's first message is missed. (On PostgreSQL or Redis the relay just idles.)
  const relay = startWorkerBusRelay();

  return new Promise<number>((resolve) => {
    const live = new Map<number, Worker>();
    const restarts: number[] = [];
    let listening = 0;
    let started = false;
    let stopping = false;
    let exitCode = 0;
    let killTimer: NodeJS.Timeout | undefined;

    const fork = (): void => {
      const worker = cluster.fork();
      live.set(worker.id, worker);
    };

    const finish = (): void => {
      clearTimeout(killTimer);
      relay.close();
      cluster.off("listening", onListening);
      cluster.off("exit", onExit);
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(exitCode);
    };

    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      if (live.size === 0) {
        finish();
        return;
      }
      for (const worker of live.values()) worker.process.kill("SIGTERM");
      killTimer = setTimeout(() => {
        for (const worker of live.values()) {
          const pid = worker.process.pid;
          if (pid === undefined) continue;
          complain(`worker ${pid} did not stop in time; killing it`);
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // it exited meanwhile
          }
        }
      }, config.shutdownTimeoutMs + KILL_MARGIN_MS);
    };

    function onSignal(): void {
      stop(0);
    }

    function onListening(_worker: Worker, address: Address): void {
      listening++;
      if (started || listening < config.workers) return;
      started = true;
      say(`${config.workers} workers serving ${urlOf(address)}`);
      if (needsSuperuser) {
        process.stdout.write(
          `No superuser yet. Create one with: npx plinth superuser upsert EMAIL PASSWORD\n`,
        );
      }
    }

    function onExit(worker: Worker, code: number | null, signal: string | null): void {
      live.delete(worker.id);
      if (stopping) {
        if (live.size === 0) finish();
        return;
      }
      if (!started) {
        // a worker that cannot start (port in use, bad database…) will not start on a retry either
        complain(`${describeExit(worker, code, signal)} during start-up; stopping`);
        stop(1);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! <= now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        complain(
          `${describeExit(worker, code, signal)}; more than ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s, giving up`,
        );
        stop(1);
        return;
      }
      complain(`${describeExit(worker, code, signal)}; starting a replacement`);
      fork();
    }

    cluster.on("listening", onListening);
    cluster.on("exit", onExit);
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    for (let i = 0; i < config.workers; i++) fork();
  });
}
