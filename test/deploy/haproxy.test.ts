// docs/deploy/haproxy.cfg, run by the real HAProxy in front of three real `plinth serve` instances on one
// fresh PostgreSQL schema (the shared suite in proxied-cluster.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HAPROXY_EXAMPLE, haproxyForTests, renderHaproxyCfg, startHaproxy } from "../support/haproxy.ts";
import { postgresForTests } from "../support/postgres.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { freePort } from "../support/spawn-server.ts";
import { describeProxiedCluster } from "./proxied-cluster.ts";

const binary = haproxyForTests("the HAProxy deployment example");
const pgUrl = binary === undefined ? undefined : await postgresForTests("the HAProxy deployment example");

describeProxiedCluster<ProxyProcess>({
  name: "docs/deploy/haproxy.cfg in front of three Plinth instances on PostgreSQL",
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
    return haproxy;
  },
  oversizeRefusedBy: "Plinth",
  // unique-id-format %[uuid()]
  generatedRequestId: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  async afterFailover(haproxy, { ids, live }) {
    // A request sent to the dead instance was redispatched to a live one ("+1" retries in the log line),
    // and failed real traffic took the instance out (observe layer4).
    assert.ok(
      ids.some((id) => new RegExp(`/\\+\\d+ \\S+ \\{${id}\\}`).test(haproxy.output())),
      haproxy.output(),
    );
    await haproxy.waitForOutput(/Server plinth\/plinth3 is DOWN/);
    // With no traffic at all, the active check (GET /api/health every 2 s) finds a stopped instance.
    const stopped = live[1]!;
    process.kill(stopped.child.pid!, "SIGKILL");
    await stopped.exited;
    await haproxy.waitForOutput(/Server plinth\/plinth2 is DOWN, reason: Layer4 connection problem/);
  },
});
