import assert from "node:assert/strict";
import cluster, { type Worker } from "node:cluster";
import { once } from "node:events";
import { test } from "node:test";
import { createIpcBus, createIpcBusRelay } from "./ipc-bus.ts";

/**
 * The IPC bus across real processes: this file forks itself twice with node:cluster (as
 * `plinth serve --workers 2` does); in a worker it runs `runWorker` instead of the tests.
 */

const CHANNEL = "ipc_fork_test";

/** Test-only IPC traffic between the primary and the workers, beside the bus's own messages. */
type Control = { ready: true } | { got: string } | { publish: string };

if (cluster.isWorker) {
  await runWorker();
} else {
  test("a message published in one forked worker reaches both workers through the primary's relay", {
    timeout: 20_000,
  }, async () => {
    cluster.setupPrimary({ exec: import.meta.filename, execArgv: [], args: [] });
    const relay = createIpcBusRelay(cluster);
    const workers = [cluster.fork(), cluster.fork()];
    try {
      await Promise.all(workers.map((w) => nextControl(w, (m) => "ready" in m)));
      const received = workers.map((w) => nextControl(w, (m) => "got" in m));
      workers[0]!.send({ publish: "hello from worker 1" } satisfies Control);
      assert.deepEqual(await Promise.all(received), [
        { got: "hello from worker 1" },
        { got: "hello from worker 1" },
      ]);
    } finally {
      relay.close();
      await Promise.all(workers.map(stopByPid));
    }
  });
}

/** In a worker: subscribe, say ready, publish on request, and report every bus message received. */
async function runWorker(): Promise<void> {
  const bus = createIpcBus(process);
  const report = (m: Control) => process.send?.(m);
  await bus.subscribe(CHANNEL, (message) => report({ got: message }));
  process.on("message", (m: unknown) => {
    if (typeof m === "object" && m !== null && "publish" in m && typeof m.publish === "string") {
      void bus.publish(CHANNEL, m.publish);
    }
  });
  report({ ready: true });
}

/** The next control message from `worker` that `matches`. */
function nextControl(worker: Worker, matches: (m: Control) => boolean): Promise<Control> {
  return new Promise((resolve) => {
    const listener = (m: Control) => {
      if (typeof m !== "object" || m === null || "plinthBus" in m || !matches(m)) return;
      worker.off("message", listener);
      resolve(m);
    };
    worker.on("message", listener);
  });
}

/** Ends a worker this test forked, by its PID, and waits until it is gone. */
async function stopByPid(worker: Worker): Promise<void> {
  const pid = worker.process.pid;
  if (pid === undefined || worker.process.exitCode !== null || worker.process.signalCode !== null) return;
  const exited = once(worker, "exit");
  process.kill(pid, "SIGTERM");
  await exited;
}
