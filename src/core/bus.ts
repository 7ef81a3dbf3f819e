/**
 * The cross-instance bus: how instances and workers sharing one database tell each other what changed
 * (schema, settings, auth records now; realtime fan-out later). Implementations: in-process, cluster
 * IPC between `--workers`, PostgreSQL LISTEN/NOTIFY, Redis pub/sub; one contract test suite covers all.
 *
 * Contract:
 * - a message published on a channel reaches every live subscription to that channel on every
 *   instance connected to the same bus, the publishing instance included (consumers skip their own
 *   messages by an origin id inside the message);
 * - messages from one publisher arrive in the order they were published;
 * - delivery is at most once: while the bus is disconnected messages are lost, so a consumer that
 *   caches must drop its caches when `onReconnect` fires;
 * - `publish` resolves once the bus accepted the message, and rejects (never hangs past its
 *   timeout) when it cannot.
 */
export interface Bus {
  readonly kind: "memory" | "ipc" | "postgres" | "redis";
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function ends it. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Called after the bus lost its connection and got it back (messages in between are lost). */
  onReconnect(listener: () => void): () => void;
  status(): BusStatus;
  close(): Promise<void>;
}

/** What `GET /api/health` reports about the bus. */
export interface BusStatus {
  readonly kind: Bus["kind"];
  readonly connected: boolean;
}

/** PostgreSQL NOTIFY payloads must stay under 8000 bytes; every bus enforces the same bound. */
export const BUS_MAX_MESSAGE_BYTES = 7_500;

/** Channel names are safe as PostgreSQL identifiers and Redis channel names. */
export const BUS_CHANNEL_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
