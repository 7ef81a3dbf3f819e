import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { Subscription } from "./subscriptions.ts";

/** Why the server ends a connection; transports tell the client where they can. */
export type CloseReason = "shutdown" | "slow-consumer" | "flood" | "idle" | "lifetime" | "replaced";

/** Where a client's messages go; each transport (SSE, WebSocket) formats them its own way. */
export interface RealtimeSink {
  /**
   * The connection is registered as `clientId` (PocketBase's PB_CONNECT); `presenceId` is how it is
   * shown to others in channels (its client id stays secret).
   */
  connected(clientId: string, lastEventId: number, presenceId: string): void;
  /**
   * One message under `topic` (the subscription or channel it is for); `data` is JSON text. `id` is
   * the record event's number, absent for messages that are not replayed (broadcast, presence).
   */
  event(topic: string, data: string, id?: number): void;
  /** Missed events cannot be replayed (too old, too many): the client must fetch afresh. */
  resync(lastEventId: number, reason: string): void;
  /** Ends the connection. */
  close(reason?: CloseReason): void;
}

/** One realtime connection. */
export interface RealtimeClient {
  readonly id: string;
  /** Shown to others in presence and broadcasts instead of `id`, which authorizes its requests. */
  readonly presenceId: string;
  readonly sink: RealtimeSink;
  auth: AuthInfo | null;
  subscriptions: Subscription[];
  /** Set by a reconnecting client (Last-Event-ID): replayed from once it has subscriptions. */
  resumeAfter: number | undefined;
  /**
   * A replay is queued: live events skip this client until it runs, since the replay sends every
   * event handled before it, in order (so none arrives twice or out of order).
   */
  replaying: boolean;
  /**
   * The last event id sent (or, before any, the last one handled when it connected): where a client
   * that reconnects with this connection's id, not an event id, resumes.
   */
  seen: number;
  /** A record event has been sent on this connection (live or replayed): too late to resume. */
  delivered: boolean;
  /**
   * Token keys of auth this connection had dropped (a password or email change): a request made with
   * a token from before the change, still on its way, cannot bind it again.
   */
  readonly revokedTokenKeys: Set<string>;
  /** Channels it listens to, each with the auth it was allowed with (a change of auth ends it). */
  channels: Map<string, AuthInfo | null>;
  /** Channels whose presence it is in. */
  readonly joined: Set<string>;
}

/** The request a subscriber's rules see: its auth, its subscription's query and headers, context "realtime". */
export function subscriberRequest(client: RealtimeClient, sub: Subscription): RequestInfo {
  return {
    auth: client.auth,
    method: "GET",
    context: "realtime",
    headers: sub.headers,
    query: sub.query,
    body: {},
  };
}
