import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  binaryForTests,
  expectShape,
  type ProxyProcess,
  type ProxyRendering,
  replaceUpstreams,
  rewriteDirectives,
  startProxyProcess,
} from "./proxy-process.ts";

/** The example configuration the README documents. */
export const NGINX_EXAMPLE = resolve(import.meta.dirname, "../../docs/deploy/nginx.conf");

/** The nginx binary (Debian package `nginx`), or undefined (skip) off CI. */
export function nginxForTests(what: string): string | undefined {
  return binaryForTests("nginx", what);
}

/**
 * docs/deploy/nginx.conf with only the substitutions its header names: the upstream addresses
 * 127.0.0.1:8091..8093, `listen 80`, the `user` line, and the /var/log/nginx/, /var/lib/nginx/ and
 * /run/nginx.pid paths. Comment lines are left alone. Throws when the file no longer has exactly the
 * lines it expects, so a change to the example cannot silently escape the test.
 */
export function renderNginxConf(template: string, to: ProxyRendering): string {
  const counts = { upstreams: 0, listens: 0, users: 0 };
  const rendered = rewriteDirectives(template, (line) => {
    let out = replaceUpstreams(line, to.upstreamPorts, () => counts.upstreams++);
    out = out.replace(/^(\s*)listen 80;/, (_all, indent: string) => {
      counts.listens++;
      return `${indent}listen 127.0.0.1:${to.listenPort};`;
    });
    // As root the workers run as root and can use the test's private directory; otherwise `user`
    // only earns a warning, so it is dropped.
    out = out.replace(/^user \S+;/, () => {
      counts.users++;
      return process.getuid?.() === 0 ? "user root;" : "";
    });
    return out
      .replaceAll("/var/log/nginx/", `${to.dir}/`)
      .replaceAll("/var/lib/nginx/", `${to.dir}/`)
      .replaceAll("/run/nginx.pid", `${to.dir}/nginx.pid`);
  });
  expectShape("nginx.conf", rendered, [
    [counts.upstreams, to.upstreamPorts.length, "upstream addresses 127.0.0.1:809N"],
    [counts.listens, 1, '"listen 80;"'],
    [counts.users, 1, '"user" lines'],
  ]);
  return rendered;
}

/** An nginx run by a test, with its logs. */
export interface NginxProcess extends ProxyProcess {
  /** The error log so far. */
  errorLog(): string;
  /** The access log so far (format `plinth` of the example). */
  accessLog(): string;
}

/** Writes `conf` into `dir` and runs `nginx -p dir -c dir/nginx.conf -g "daemon off;"` on `port`. */
export async function startNginx(options: {
  readonly binary: string;
  readonly dir: string;
  readonly conf: string;
  readonly port: number;
}): Promise<NginxProcess> {
  const { binary, dir } = options;
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, options.conf);
  const read = (name: string) => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  };
  // -e (nginx 1.19.5+) keeps even the messages logged before the config is read out of /var/log/nginx.
  const early = supportsErrorLogFlag(binary) ? ["-e", join(dir, "error.log")] : [];
  const proc = await startProxyProcess({
    binary,
    args: [...early, "-p", dir, "-c", confPath, "-g", "daemon off;"],
    port: options.port,
    diagnostics: () => read("error.log"),
  });
  return { ...proc, errorLog: () => read("error.log"), accessLog: () => read("plinth.access.log") };
}

function supportsErrorLogFlag(binary: string): boolean {
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(spawnSync(binary, ["-v"], { encoding: "utf8" }).stderr);
  if (!version) return false;
  const [major, minor, patch] = version.slice(1).map(Number) as [number, number, number];
  return major > 1 || minor > 19 || (minor === 19 && patch >= 5);
}
