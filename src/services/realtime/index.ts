export { createRealtimeService, type RealtimeService, type RealtimeSink } from "./realtime-service.ts";
