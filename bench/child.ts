import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { deadline } from "./deadline.ts";

/** A child process the harness started, with the tail of its output for error messages. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly proc: ChildProcess;
  /** Last few KB of stdout+stderr. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<string>;
}

/** The processes started by this run; only these are ever signalled. */
export interface ChildRegistry {
  start(name: string, args: readonly string[], cwd: string): Child;
  stop(child: Child): Promise<void>;
  stopAll(): Promise<void>;
}

const OUTPUT_TAIL = 8192;

/** Asks the OS for a free TCP port on 127.0.0.1 (released before use; a race is possible but unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/**
 * The harness's environment without `PLINTH_*`: every setting of a server under test comes from its
 * command line, so a PLINTH_DB or PLINTH_WORKERS in the caller's shell cannot change what is measured.
 */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PLINTH_")));
}

/** Builds a registry that spawns Node children (same binary as the harness) and kills them by PID. */
export function createChildRegistry(): ChildRegistry {
  const running = new Set<Child>();

  const start = (name: string, args: readonly string[], cwd: string): Child => {
    const proc = spawn(process.execPath, [...args], {
      cwd,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
    let tail = "";
    const keep = (buf: Buffer): void => {
      tail = (tail + buf.toString("utf8")).slice(-OUTPUT_TAIL);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    const exited = new Promise<string>((resolve) => {
      proc.once("exit", (code, signal) => resolve(signal ?? String(code)));
    });
    const child: Child = { name, pid: proc.pid, proc, output: () => tail, exited };
    running.add(child);
    void exited.then(() => running.delete(child));
    return child;
  };

  const stop = async (child: Child): Promise<void> => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    const graceful = await Promise.race([child.exited.then(() => true), delay(5000).then(() => false)]);
    if (!graceful) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // exited between the check and the kill
      }
      await Promise.race([child.exited, delay(2000)]);
    }
  };

  return { start, stop, stopAll: async () => void (await Promise.all([...running].map(stop))) };
}

/** Resolves after `ms` milliseconds (unref'd so it never keeps the process alive). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Polls `url` until it answers 200; returns the milliseconds since `startedAt`.
 * Fails fast if the child exits, and at `deadlineMs` at the latest.
 */
export async function waitHealthy(
  url: string,
  child: Child,
  opts: { startedAt: number; deadlineMs: number },
): Promise<number> {
  let exitedWith: string | undefined;
  void child.exited.then((code) => (exitedWith = code));
  const giveUpAt = opts.startedAt + opts.deadlineMs;
  while (performance.now() < giveUpAt) {
    if (exitedWith !== undefined) {
      throw new Error(`${child.name} exited (${exitedWith}) before it was healthy:\n${child.output()}`);
    }
    try {
      const limit = deadline(1000);
      try {
        const res = await fetch(url, { signal: limit.signal });
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - opts.startedAt;
      } finally {
        limit.clear();
      }
    } catch {
      // not listening yet
    }
    // a timer that holds the event loop: this wait must end in "healthy" or an error, never in a silent exit
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${child.name} was not healthy within ${opts.deadlineMs} ms:\n${child.output()}`);
}
