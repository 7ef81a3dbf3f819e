import { BUS_CHANNEL_PATTERN, type Bus } from "../../core/bus.ts";
import { PlinthError } from "../../core/errors.ts";
import {
  checkChannel,
  checkMessage,
  closedError,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  withTimeout,
} from "./bus-guards.ts";
import {
  type BusLogger,
  consoleBusLogger,
  createLocalHandlers,
  createReconnectListeners,
} from "./bus-listeners.ts";

/**
 * The bus between the workers of `plinth serve --workers N` (node:cluster), for a single machine
 * without PostgreSQL or Redis. A worker sends each message to the primary over its IPC channel; the
 * primary's relay sends it to every worker, the sender included, so each worker's subscribers see
 * messages exactly as every other worker does. IPC channels are ordered pipes and the relay forwards
 * synchronously, so one worker's messages reach every worker in publish order.
 */

/** What travels over IPC; the key keeps bus messages apart from any other IPC traffic. */
export interface IpcBusEnvelope {
  readonly plinthBus: { readonly channel: string; readonly message: string };
}

/** A worker's end of the IPC channel: `process` in a cluster worker, or an in-process stand-in. */
export interface IpcWorkerEndpoint {
  send?(message: IpcBusEnvelope, callback: (error: Error | null) => void): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/** A worker as the primary sees it: `cluster.Worker`, or an in-process stand-in. */
export interface IpcRelayWorker {
  send(message: IpcBusEnvelope, callback: (error: Error | null) => void): boolean;
  isConnected(): boolean;
}

/** The primary's view of its workers: `node:cluster`, or an in-process stand-in. */
export interface IpcRelayCluster {
  readonly workers?: Readonly<Record<string, IpcRelayWorker | undefined>>;
  on(event: "message", listener: (worker: IpcRelayWorker, message: unknown) => void): unknown;
  off(event: "message", listener: (worker: IpcRelayWorker, message: unknown) => void): unknown;
}

/** A running relay in the primary. */
export interface IpcBusRelay {
  /** Stops relaying (workers still running lose their bus). */
  close(): void;
}

/** Whether an IPC message is a bus message (and well-formed enough to relay). */
export function isIpcBusEnvelope(value: unknown): value is IpcBusEnvelope {
  if (typeof value !== "object" || value === null || !("plinthBus" in value)) return false;
  const inner = value.plinthBus;
  return (
    typeof inner === "object" &&
    inner !== null &&
    "channel" in inner &&
    "message" in inner &&
    typeof inner.channel === "string" &&
    typeof inner.message === "string" &&
    BUS_CHANNEL_PATTERN.test(inner.channel)
  );
}

/** Runs in the cluster primary: relays every worker's bus messages to every connected worker. */
export function createIpcBusRelay(cluster: IpcRelayCluster): IpcBusRelay {
  const ignoreSendError = () => {}; // a worker that is exiting just misses the message
  const relay = (_from: IpcRelayWorker, message: unknown) => {
    if (!isIpcBusEnvelope(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message, ignoreSendError);
    }
  };
  cluster.on("message", relay);
  return { close: () => void cluster.off("message", relay) };
}

/** Options of a worker's IPC bus. */
export interface IpcBusOptions {
  readonly logger?: BusLogger;
  /** How long publish may wait for the IPC channel to take the message; 5 s by default. */
  readonly publishTimeoutMs?: number;
}

/**
 * Runs in a cluster worker (pass `process`). Messages arrive only through the primary's relay, the
 * worker's own included. The IPC channel never reconnects, so `onReconnect` never fires.
 */
export function createIpcBus(endpoint: IpcWorkerEndpoint, options: IpcBusOptions = {}): Bus {
  const send = endpoint.send?.bind(endpoint);
  if (!send) {
    throw new PlinthError("internal", "The IPC bus needs an IPC channel: run it in a cluster worker.");
  }
  const logger = options.logger ?? consoleBusLogger;
  const timeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const handlers = createLocalHandlers(logger);
  const reconnects = createReconnectListeners(logger);
  let closed = false;

  const receive = (message: unknown) => {
    if (!closed && isIpcBusEnvelope(message))
      handlers.dispatch(message.plinthBus.channel, message.plinthBus.message);
  };
  // Listening to "message" keeps a worker's IPC channel referenced; close() removes it again.
  endpoint.on("message", receive);

  return {
    kind: "ipc",
    async publish(channel, message) {
      checkChannel(channel);
      checkMessage(message);
      if (closed) throw closedError("ipc");
      const sent = new Promise<void>((resolve, reject) => {
        send({ plinthBus: { channel, message } }, (err) =>
          err
            ? reject(new PlinthError("unavailable", "Could not publish on the IPC bus.", { cause: err }))
            : resolve(),
        );
      });
      await withTimeout(sent, timeoutMs, "IPC bus publish");
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw closedError("ipc");
      const subscription = handlers.add(channel, handler);
      return async () => {
        subscription.remove();
      };
    },
    onReconnect: (fn) => reconnects.add(fn),
    status: () => ({ kind: "ipc", connected: !closed && endpoint.connected !== false }),
    async close() {
      if (closed) return;
      closed = true;
      endpoint.off("message", receive);
      handlers.clear();
      reconnects.clear();
    },
  };
}
