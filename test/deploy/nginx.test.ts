// docs/deploy/nginx.conf, run by the real nginx in front of three real `plinth serve` instances on one
// fresh PostgreSQL schema (the shared suite in proxied-cluster.ts).
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
import { describeProxiedCluster } from "./proxied-cluster.ts";

const binary = nginxForTests("the nginx deployment example");
const pgUrl = binary === undefined ? undefined : await postgresForTests("the nginx deployment example");

describeProxiedCluster<NginxProcess>({
  name: "docs/deploy/nginx.conf in front of three Plinth instances on PostgreSQL",
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
  oversizeRefusedBy: "the load balancer",
  // nginx's $request_id: 32 hex characters, which Plinth accepts and keeps
  generatedRequestId: /^[0-9a-f]{32}$/,
  async afterFailover(nginx, { dead, ids }) {
    // The access log shows the retries: "upstream=<dead>, <live>" on the requests that failed over.
    // (Each line is written as its request ends, before the following requests were sent.)
    const retried = nginx
      .accessLog()
      .split("\n")
      .filter((line) => ids.some((id) => line.includes(`rid=${id} `)) && line.includes(`upstream=${dead}, `));
    assert.ok(retried.length > 0, nginx.accessLog());
  },
});
