export type { BusLogger } from "./bus-listeners.ts";
export {
  createIpcBus,
  createIpcBusRelay,
  type IpcBusOptions,
  type IpcBusRelay,
  type IpcRelayCluster,
  type IpcRelayWorker,
  type IpcWorkerEndpoint,
} from "./ipc-bus.ts";
export { createMemoryBus, type MemoryBusOptions } from "./memory-bus.ts";
export { createPostgresBus, type PostgresBusOptions } from "./postgres-bus.ts";
export { createRedisBus, type RedisBusOptions } from "./redis-bus.ts";
