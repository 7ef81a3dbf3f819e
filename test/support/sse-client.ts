// A raw realtime client over SSE (the `eventsource` package), for tests that look at what the SDK
// hides: event ids, reconnects with Last-Event-ID, PB_RESYNC and PB_RECONNECT.
import assert from "node:assert/strict";
import { EventSource } from "eventsource";

/** One message as received: its SSE event name, id (lastEventId) and parsed data. */
export interface SseMessage {
  readonly name: string;
  readonly id: string;
  readonly data: Record<string, unknown>;
}

/** A connection; `messages` collects everything but PB_CONNECT. */
export interface SseClient {
  readonly messages: SseMessage[];
  /** The current connection's client id (changes when EventSource reconnects by itself). */
  clientId(): string;
  /** The current connection's presence id (how others see it in channels). */
  presenceId(): string;
  /** Connections made so far (1 + automatic reconnects). */
  connections(): number;
  /** Collects messages of these topics (subscribed some other way). */
  listen(topics: readonly string[]): void;
  /** Sets the subscriptions of the current connection (POST /api/realtime). */
  subscribe(topics: readonly string[], token?: string): Promise<void>;
  /** Resolves once `n` messages have arrived (bounded wait). */
  next(n: number): Promise<SseMessage[]>;
  /** Resolves once the stream has reconnected `n` times in all (bounded wait). */
  reconnected(n: number): Promise<void>;
  close(): void;
}

const NAMES = ["PB_RESYNC", "PB_RECONNECT"];

/**
 * Connects to `url`/api/realtime. `lastEventId` is sent as Last-Event-ID on the first connection;
 * EventSource sends the last id it saw on its own reconnects. `topics` (and `token`) are posted on
 * every (re)connection, as a client library would.
 */
export async function connectSse(
  url: string,
  options: { lastEventId?: string; topics?: readonly string[]; token?: string } = {},
): Promise<SseClient> {
  const messages: SseMessage[] = [];
  let clientId = "";
  let presenceId = "";
  let connections = 0;
  let first = true;
  const source = new EventSource(`${url}/api/realtime`, {
    fetch: (input, init) => {
      const headers = { ...(init?.headers as Record<string, string>) };
      if (first && options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId;
      first = false;
      return fetch(input, { ...init, headers });
    },
  });
  const onMessage = (e: MessageEvent) => {
    messages.push({ name: e.type, id: e.lastEventId, data: JSON.parse(String(e.data)) });
  };
  const client: SseClient = {
    messages,
    clientId: () => clientId,
    presenceId: () => presenceId,
    connections: () => connections,
    listen(topics) {
      for (const t of topics) source.addEventListener(t, onMessage);
    },
    async subscribe(topics, token) {
      client.listen(topics);
      const res = await fetch(`${url}/api/realtime`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
        body: JSON.stringify({ clientId, subscriptions: topics }),
      });
      assert.equal(res.status, 204, await res.text());
    },
    async next(n) {
      for (let i = 0; i < 500 && messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(messages.length >= n, `expected ${n} messages, got ${JSON.stringify(messages)}`);
      return messages.slice(0, n);
    },
    async reconnected(n) {
      for (let i = 0; i < 1000 && connections < n + 1; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(connections >= n + 1, `expected ${n} reconnects, saw ${connections - 1}`);
    },
    close: () => source.close(),
  };
  for (const name of NAMES) source.addEventListener(name, onMessage);
  let connected: () => void = () => {};
  const ready = new Promise<void>((resolve) => (connected = resolve));
  source.addEventListener("PB_CONNECT", (e) => {
    ({ clientId, presenceId } = JSON.parse(String(e.data)) as { clientId: string; presenceId: string });
    connections++;
    connected();
    if (connections > 1 && options.topics) void client.subscribe(options.topics, options.token);
  });
  const timer = setTimeout(() => source.close(), 10_000);
  await ready;
  clearTimeout(timer);
  if (options.topics) await client.subscribe(options.topics, options.token);
  return client;
}
