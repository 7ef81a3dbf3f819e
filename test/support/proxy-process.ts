import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";

/**
 * A load balancer binary for the deployment tests, from /usr/sbin or PATH. When there is none, tests skip
 * with a message on a laptop, but in CI (CI=true) a missing one is a failure.
 */
export function binaryForTests(name: string, what: string): string | undefined {
  const dirs = ["/usr/sbin", "/usr/local/sbin", ...(process.env["PATH"] ?? "").split(delimiter)];
  const found = dirs
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
  if (found !== undefined) return found;
  if (process.env["CI"] === "true")
    throw new Error(`${name} is required in CI for ${what} (Debian package "${name}")`);
  process.stderr.write(`skipping ${what}: ${name} is not installed (Debian package "${name}")\n`);
  return undefined;
}

/** A load balancer run by a test in the foreground. */
export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once its output matches `pattern`. */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** SIGTERM to it, by its pid; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Spawns `binary args` and waits (bounded) until it accepts connections on 127.0.0.1:`port`. */
export async function startProxyProcess(options: {
  readonly binary: string;
  readonly args: readonly string[];
  readonly port: number;
  /** Extra text for a start-up failure message (e.g. an error log file). */
  readonly diagnostics?: () => string;
}): Promise<ProxyProcess> {
  const child = spawn(options.binary, options.args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((res) => child.on("exit", () => res()));
  const proc: ProxyProcess = {
    child,
    url: `http://127.0.0.1:${options.port}`,
    output: () => out,
    waitForOutput: (pattern) =>
      new Promise((done, fail) => {
        const check = () => {
          if (!pattern.test(out)) return;
          child.stdout?.off("data", check);
          child.stderr?.off("data", check);
          done();
        };
        child.stdout?.on("data", check);
        child.stderr?.on("data", check);
        child.once("exit", () =>
          fail(new Error(`${options.binary} exited before its output matched ${pattern}`)),
        );
        check();
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  const explain = () => `${out}\n${options.diagnostics?.() ?? ""}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${options.binary} exited at start: ${explain()}`);
    if (await accepts(options.port)) return proc;
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.stop();
  throw new Error(`${options.binary} did not start listening on ${options.port}: ${explain()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      res(true);
    });
    socket.once("error", () => res(false));
  });
}

/** Where an example configuration in docs/deploy is pointed for one test run. */
export interface ProxyRendering {
  /** One port per upstream address 127.0.0.1:8091, :8092, :8093 of the example, in order. */
  readonly upstreamPorts: readonly number[];
  /** The port it listens on, on 127.0.0.1 (instead of port 80). */
  readonly listenPort: number;
  /** The directory that takes the place of the system paths (logs, temp files, pid, sockets). */
  readonly dir: string;
}

/** Applies `rewrite` to every line that is not a comment. */
export function rewriteDirectives(template: string, rewrite: (line: string) => string): string {
  return template
    .split("\n")
    .map((line) => (line.trim().startsWith("#") ? line : rewrite(line)))
    .join("\n");
}

/** Replaces 127.0.0.1:8091.. with the test's ports, calling `counted` for each. */
export function replaceUpstreams(line: string, ports: readonly number[], counted: () => void): string {
  return line.replace(/\b127\.0\.0\.1:809([1-9])\b/g, (_all, n: string) => {
    const port = ports[Number(n) - 1];
    if (port === undefined) throw new Error(`no test port for the example's upstream 127.0.0.1:809${n}`);
    counted();
    return `127.0.0.1:${port}`;
  });
}

/** Throws unless every count is as expected and no system path or example port is left outside comments. */
export function expectShape(file: string, rendered: string, counts: [number, number, string][]): void {
  const wrong = counts.filter(([got, want]) => got !== want);
  if (wrong.length > 0)
    throw new Error(
      `${file} changed shape: ${wrong.map(([got, want, what]) => `${got} ${what} (expected ${want})`).join(", ")}`,
    );
  const leftover = rendered
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .find((line) => /\/var\/|\/run\/|:80\b|:809\d/.test(line));
  if (leftover !== undefined)
    throw new Error(`${file}: a line the test does not rewrite: ${leftover.trim()}`);
}
