import { writeFileSync } from "node:fs";
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
export const HAPROXY_EXAMPLE = resolve(import.meta.dirname, "../../docs/deploy/haproxy.cfg");

/** The haproxy binary (Debian package `haproxy`), or undefined (skip) off CI. */
export function haproxyForTests(what: string): string | undefined {
  return binaryForTests("haproxy", what);
}

/**
 * docs/deploy/haproxy.cfg with only the substitutions its header names: the server addresses
 * 127.0.0.1:8091..8093, `bind :80`, the `user`/`group` lines (dropped: the test's HAProxy keeps its
 * own user), and /run/haproxy/. Throws when the file no longer has exactly the lines it expects.
 */
export function renderHaproxyCfg(template: string, to: ProxyRendering): string {
  const counts = { upstreams: 0, binds: 0, users: 0 };
  const rendered = rewriteDirectives(template, (line) => {
    let out = replaceUpstreams(line, to.upstreamPorts, () => counts.upstreams++);
    out = out.replace(/^(\s*)bind :80$/, (_all, indent: string) => {
      counts.binds++;
      return `${indent}bind 127.0.0.1:${to.listenPort}`;
    });
    out = out.replace(/^\s*(user|group) \S+$/, () => {
      counts.users++;
      return "";
    });
    return out.replaceAll("/run/haproxy/", `${to.dir}/`);
  });
  expectShape("haproxy.cfg", rendered, [
    [counts.upstreams, to.upstreamPorts.length, "server addresses 127.0.0.1:809N"],
    [counts.binds, 1, '"bind :80"'],
    [counts.users, 2, '"user"/"group" lines'],
  ]);
  return rendered;
}

/** Writes `cfg` into `dir` and runs `haproxy -f dir/haproxy.cfg -db` (foreground; its log is its stdout). */
export async function startHaproxy(options: {
  readonly binary: string;
  readonly dir: string;
  readonly cfg: string;
  readonly port: number;
}): Promise<ProxyProcess> {
  const cfgPath = join(options.dir, "haproxy.cfg");
  writeFileSync(cfgPath, options.cfg);
  return startProxyProcess({ binary: options.binary, args: ["-f", cfgPath, "-db"], port: options.port });
}
