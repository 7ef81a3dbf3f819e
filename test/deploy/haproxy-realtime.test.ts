// docs/deploy/haproxy.cfg's realtime handling (SSE, WebSocket), run by the real HAProxy in front of three
// real Plinth instances on one fresh PostgreSQL schema (the shared suite in realtime-through-proxy.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { HAPROXY_EXAMPLE, haproxyForTests, renderHaproxyCfg, startHaproxy } from "../support/haproxy.ts";
import { postgresForTests } from "../support/postgres.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { freePort } from "../support/spawn-server.ts";
import { describeRealtimeThroughProxy } from "./realtime-through-proxy.ts";

const binary = haproxyForTests("the HAProxy realtime example");
const pgUrl = binary === undefined ? undefined : await postgresForTests("the HAProxy realtime example");

/** One command to HAProxy's runtime API (the example's `stats socket`); resolves with its answer. */
function runtimeApi(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(path, () => socket.end(`${command}\n`));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describeRealtimeThroughProxy<ProxyProcess & { readonly adminSocket: string }>({
  name: "docs/deploy/haproxy.cfg in front of three Plinth instances: SSE and WebSocket",
  pgUrl,
  async start(upstreamPorts, dir) {
    const port = await freePort();
    const cfg = renderHaproxyCfg(readFileSync(HAPROXY_EXAMPLE, "utf8"), {
      upstreamPorts,
      listenPort: port,
      dir,
    });
    const haproxy = await startHaproxy({ binary: binary!, dir, cfg, port });
    // all three instances start in service
    assert.doesNotMatch(haproxy.output(), /is DOWN/);
    // the example's "stats socket /run/haproxy/admin.sock", moved into `dir`
    return { ...haproxy, adminSocket: join(dir, "admin.sock") };
  },
  // unique-id-format %[uuid()]
  generatedRequestId: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  async holderOf(haproxy, stream) {
    // HAProxy logs a stream only once it has ended, and notices a client that left only when it next
    // writes to it; its runtime API lists the open one: "… src=127.0.0.1:<port> … srv=plinth<N> …".
    const sessions = await runtimeApi(haproxy.adminSocket, "show sess");
    const line = sessions.split("\n").find((l) => l.includes(` src=127.0.0.1:${stream.clientPort} `));
    const server = / srv=plinth(\d) /.exec(line ?? "");
    assert.ok(server, `no session from port ${stream.clientPort} in:\n${sessions}`);
    // server plinth<N> is the example's N-th address
    return Number(server[1]) - 1;
  },
});
