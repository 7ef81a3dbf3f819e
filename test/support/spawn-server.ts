import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../bin/plinth.js");

/** A free loopback port (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

/** Runs the plinth CLI to completion; resolves with its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => res({ code, stdout, stderr }));
  });
}

/** A `plinth serve` child process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves once the server's output matches `pattern` (rejects if the process exits first). */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts `plinth serve` and waits (bounded) until /api/health answers 200. */
export async function spawnServer(dir: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--http", `127.0.0.1:${port}`, "--dir", dir, ...extraArgs],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200) {
        const waitForOutput = (pattern: RegExp) =>
          new Promise<void>((done, fail) => {
            const check = () => {
              if (pattern.test(out)) {
                child.stdout?.off("data", check);
                child.stderr?.off("data", check);
                done();
              }
            };
            child.stdout?.on("data", check);
            child.stderr?.on("data", check);
            child.once("exit", () => fail(new Error(`server exited before output matched ${pattern}`)));
            check();
          });
        return { child, url, output: () => out, exited, waitForOutput };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not become healthy: ${out}`);
}

/** Stops every server still running (SIGTERM, then waits for it to exit). */
export async function stopServers(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  for (const server of servers) {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }
}
