// docs/deploy/haproxy.cfg's forwarded headers and realtime handling (SSE, WebSocket), run by the real
// HAProxy in front of a stand-in instance (realtime-through-proxy.ts).
import { readFileSync } from "node:fs";
import { HAPROXY_EXAMPLE, haproxyForTests, renderHaproxyCfg, startHaproxy } from "../support/haproxy.ts";
import { freePort } from "../support/spawn-server.ts";
import { describeRealtimeThroughProxy } from "./realtime-through-proxy.ts";

const binary = haproxyForTests("the HAProxy realtime example");

describeRealtimeThroughProxy({
  name: "docs/deploy/haproxy.cfg: forwarded headers, SSE and WebSocket",
  skip: binary === undefined,
  async start(upstreamPort, dir) {
    const port = await freePort();
    const upstreamPorts = [upstreamPort, upstreamPort, upstreamPort];
    const cfg = renderHaproxyCfg(readFileSync(HAPROXY_EXAMPLE, "utf8"), {
      upstreamPorts,
      listenPort: port,
      dir,
    });
    return startHaproxy({ binary: binary!, dir, cfg, port });
  },
  // HAProxy passes the client's Host header on unchanged
  forwardedHost: (port) => `127.0.0.1:${port}`,
  generatedRequestId: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
});
