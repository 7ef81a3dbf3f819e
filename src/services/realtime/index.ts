export { type RealtimeService, type RealtimeSink, startRealtimeService } from "./realtime-service.ts";
