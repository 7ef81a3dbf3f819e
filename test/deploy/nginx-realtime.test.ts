// docs/deploy/nginx.conf's forwarded headers and its realtime locations (SSE, WebSocket), run by the real
// nginx in front of a stand-in instance (realtime-through-proxy.ts).
import { readFileSync } from "node:fs";
import { NGINX_EXAMPLE, nginxForTests, renderNginxConf, startNginx } from "../support/nginx.ts";
import { freePort } from "../support/spawn-server.ts";
import { describeRealtimeThroughProxy } from "./realtime-through-proxy.ts";

const binary = nginxForTests("the nginx realtime example");

describeRealtimeThroughProxy({
  name: "docs/deploy/nginx.conf: forwarded headers, SSE and WebSocket",
  skip: binary === undefined,
  async start(upstreamPort, dir) {
    const port = await freePort();
    const upstreamPorts = [upstreamPort, upstreamPort, upstreamPort];
    const conf = renderNginxConf(readFileSync(NGINX_EXAMPLE, "utf8"), {
      upstreamPorts,
      listenPort: port,
      dir,
    });
    return startNginx({ binary: binary!, dir, conf, port });
  },
  // $host: the client's Host without its port (in production the port is the public 80 or 443)
  forwardedHost: () => "127.0.0.1",
  generatedRequestId: /^[0-9a-f]{32}$/,
});
