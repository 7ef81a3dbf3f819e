export {
  type AuthRef,
  type ChannelEvent,
  type PlinthErrorBody,
  type PresenceMember,
  RealtimeError,
  RealtimeSocket,
  type RealtimeSocketOptions,
  type RecordEvent,
  recordTopic,
  type SubscribeOptions,
} from "./realtime-socket-client.ts";
