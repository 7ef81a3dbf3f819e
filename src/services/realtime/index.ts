export type { CloseReason, RealtimeSink } from "./realtime-client.ts";
export { type RealtimeService, type ReplayLimits, startRealtimeService } from "./realtime-service.ts";
