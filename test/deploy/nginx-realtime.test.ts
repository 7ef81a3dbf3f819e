// docs/deploy/nginx.conf's realtime locations (SSE, WebSocket), run by the real nginx in front of three
// real Plinth instances on one fresh PostgreSQL schema (the shared suite in realtime-through-proxy.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  NGINX_EXAMPLE,
  type NginxProcess,
  nginxForTests,
  renderNginxConf,
  startNginx,
} from "../support/nginx.ts";
import { postgresForTests } from "../support/postgres.ts";
import { freePort } from "../support/spawn-server.ts";
import { describeRealtimeThroughProxy, until } from "./realtime-through-proxy.ts";

const binary = nginxForTests("the nginx realtime example");
const pgUrl = binary === undefined ? undefined : await postgresForTests("the nginx realtime example");

describeRealtimeThroughProxy<NginxProcess>({
  name: "docs/deploy/nginx.conf in front of three Plinth instances: SSE and WebSocket",
  pgUrl,
  async start(upstreamPorts, dir) {
    const port = await freePort();
    const conf = renderNginxConf(readFileSync(NGINX_EXAMPLE, "utf8"), {
      upstreamPorts,
      listenPort: port,
      dir,
    });
    return startNginx({ binary: binary!, dir, conf, port });
  },
  // nginx's $request_id: 32 hex characters, which Plinth accepts and keeps
  generatedRequestId: /^[0-9a-f]{32}$/,
  async holderOf(nginx, stream, upstreamPorts) {
    // nginx logs a request when it ends: "rid=<id> upstream=<address>[, <address>…] upstream_status=…",
    // where the last address is the one that answered.
    stream.close();
    const address = () => {
      const line = nginx
        .accessLog()
        .split("\n")
        .find((l) => l.includes(`rid=${stream.requestId} `));
      return /upstream=(?:\S+, )*127\.0\.0\.1:(\d+) /.exec(line ?? "")?.[1];
    };
    assert.ok(await until(() => address() !== undefined), `${stream.requestId} not in ${nginx.accessLog()}`);
    return upstreamPorts.indexOf(Number(address()));
  },
});
