/**
 * A small typed client for Plinth's realtime WebSocket (`/api/ws`, protocol in docs/realtime.md).
 * It runs wherever a standard `WebSocket` exists (browsers, Node 22+, Deno, Bun): reconnects with
 * backoff, resubscribes and resumes from the last event id, so no record event is missed while
 * the window on the server lasts (`onResync` says when it did not).
 */

/** The shared error shape (PocketBase's). */
export interface PlinthErrorBody {
  readonly status: number;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/** A record event as subscribers receive it. */
export interface RecordEvent<R = Record<string, unknown>> {
  readonly action: "create" | "update" | "delete";
  readonly record: R;
}

/** A channel message: a broadcast, or a presence change. */
export type ChannelEvent =
  | {
      readonly type: "broadcast";
      readonly event: string;
      readonly data: unknown;
      /** The sender's presence id (null for server code), and who it is authenticated as. */
      readonly from: { readonly id: string | null; readonly auth: AuthRef | null };
    }
  | {
      readonly type: "presence";
      readonly action: "join" | "update" | "leave";
      readonly member: PresenceMember;
    }
  | { readonly type: "presence"; readonly action: "sync"; readonly members: PresenceMember[] };

export interface AuthRef {
  readonly collectionName: string;
  readonly id: string;
}

/** A connection in a channel's presence; `id` is its presence id (a connection's own is `presenceId`). */
export interface PresenceMember {
  readonly id: string;
  readonly auth: AuthRef | null;
  readonly state: unknown;
}

/** Options of a record subscription, as the REST API takes them. */
export interface SubscribeOptions {
  readonly filter?: string;
  readonly expand?: string;
  readonly fields?: string;
  readonly headers?: Record<string, string>;
}

/** What the server sends. */
type ServerMessage =
  | { type: "connected"; clientId: string; presenceId: string; lastEventId: string }
  | { type: "ack"; id: number; [key: string]: unknown }
  | { type: "error"; id?: number; error: PlinthErrorBody }
  | { type: "pong"; id: number }
  | { type: "event"; topic: string; id?: string; data: unknown }
  | { type: "resync"; lastEventId: string; reason: string }
  | { type: "reconnect"; reason: string };

/** A request the server refused, with its error in the shared shape. */
export class RealtimeError extends Error {
  readonly status: number;
  readonly data: Record<string, unknown>;
  constructor(body: PlinthErrorBody) {
    super(body.message);
    this.name = "RealtimeError";
    this.status = body.status;
    this.data = body.data;
  }
}

export interface RealtimeSocketOptions {
  /** A token to authenticate with (sent as an `auth` message on every connection). */
  readonly token?: string | (() => string | null);
  /** Reconnect backoff bounds in ms (default 250 … 10000). */
  readonly minReconnectMs?: number;
  readonly maxReconnectMs?: number;
  /** How long a request waits for its reply (default 10000 ms). */
  readonly requestTimeoutMs?: number;
  /** Missed events could not be replayed: refetch what the screen shows. */
  readonly onResync?: (reason: string) => void;
  /** Each (re)connection, with its client id. */
  readonly onConnect?: (clientId: string) => void;
  /**
   * After a reconnect the server refused to restore something (`what`: "auth", a channel topic
   * "@name", or "join:name"): it is dropped, and everything else is restored.
   */
  readonly onError?: (error: RealtimeError, what: string) => void;
  /** The WebSocket constructor (defaults to the global one). */
  readonly WebSocket?: typeof WebSocket;
}

/** Builds a subscription topic: `collection/*` or `collection/id`, with options. */
export function recordTopic(collection: string, target: string, options: SubscribeOptions = {}): string {
  const { headers, ...query } = options;
  const hasOptions =
    Object.keys(query).length > 0 || (headers !== undefined && Object.keys(headers).length > 0);
  const base = `${collection}/${target}`;
  return hasOptions ? `${base}?options=${encodeURIComponent(JSON.stringify({ query, headers }))}` : base;
}

/** The realtime client. */
export class RealtimeSocket {
  readonly #url: string;
  readonly #options: RealtimeSocketOptions;
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly #pending = new Map<
    number,
    { resolve(m: ServerMessage): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }
  >();
  readonly #presence = new Map<string, unknown>();
  /** Topics subscribed on the current connection. */
  readonly #subscribed = new Set<string>();
  #socket: WebSocket | undefined;
  #nextId = 0;
  #lastEventId: string | undefined;
  #attempt = 0;
  #closed = false;
  #connected: Promise<void>;
  #markConnected: () => void = () => {};
  clientId = "";
  /** How this connection appears to others in presence and broadcasts (`PresenceMember.id`). */
  presenceId = "";

  /** `baseUrl`: the server (http(s)://host:port); the socket goes to /api/ws. */
  constructor(baseUrl: string, options: RealtimeSocketOptions = {}) {
    this.#url = `${baseUrl.replace(/^http/, "ws").replace(/\/$/, "")}/api/ws`;
    this.#options = options;
    this.#connected = this.#newConnectedPromise();
    this.#open();
  }

  /** Resolves once connected (and re-authenticated and resubscribed after a reconnect). */
  ready(): Promise<void> {
    return this.#connected;
  }

  /** The id of the last record event received (what a reconnect resumes from). */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Subscribes to a collection's records (`target` "*" or a record id); resolves to the unsubscribe function. */
  async subscribe<R = Record<string, unknown>>(
    collection: string,
    target: string,
    callback: (event: RecordEvent<R>) => void,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    return this.#listen(recordTopic(collection, target, options), callback as (data: unknown) => void);
  }

  /** Listens to a broadcast channel (and its presence); resolves to the function that stops. */
  channel(name: string, callback: (event: ChannelEvent) => void): Promise<() => Promise<void>> {
    return this.#listen(`@${name}`, callback as (data: unknown) => void);
  }

  /** Sends a custom event to a channel's listeners. */
  async publish(channel: string, event: string, data?: unknown): Promise<void> {
    await this.#request({ type: "publish", channel, event, data });
  }

  /** Joins a channel's presence (again: updates the state); resolves to its members. */
  async join(channel: string, state?: unknown): Promise<PresenceMember[]> {
    this.#presence.set(channel, state);
    const ack = (await this.#request({ type: "join", channel, state })) as unknown as {
      members?: PresenceMember[];
    };
    return ack.members ?? [];
  }

  async leave(channel: string): Promise<void> {
    this.#presence.delete(channel);
    await this.#request({ type: "leave", channel });
  }

  /** Changes the connection's auth (a guest may become a user; another user is refused). */
  async authenticate(token: string | null): Promise<AuthRef | null> {
    const ack = (await this.#request({ type: "auth", token })) as unknown as { auth: AuthRef | null };
    return ack.auth;
  }

  /** Round trip to the server (ms). */
  async ping(): Promise<number> {
    const start = Date.now();
    await this.#request({ type: "ping" });
    return Date.now() - start;
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.#closed = true;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("closed"));
    }
    this.#pending.clear();
    this.#socket?.close(1000);
  }

  async #listen(topic: string, callback: (data: unknown) => void): Promise<() => Promise<void>> {
    let set = this.#listeners.get(topic);
    const first = set === undefined;
    if (set === undefined) this.#listeners.set(topic, (set = new Set()));
    set.add(callback);
    if (first) {
      try {
        await this.#connected;
        // a connection made meanwhile subscribed it already (see #restore)
        if (!this.#subscribed.has(topic)) {
          this.#subscribed.add(topic);
          await this.#request({ type: "subscribe", topics: [topic] });
        }
      } catch (err) {
        this.#listeners.delete(topic);
        this.#subscribed.delete(topic);
        throw err;
      }
    }
    return async () => {
      const current = this.#listeners.get(topic);
      current?.delete(callback);
      if (current?.size === 0) {
        this.#listeners.delete(topic);
        this.#subscribed.delete(topic);
        await this.#request({ type: "unsubscribe", topics: [topic] }).catch(() => {});
      }
    };
  }

  #newConnectedPromise(): Promise<void> {
    return new Promise((resolve) => {
      this.#markConnected = resolve;
    });
  }

  async #request(message: Record<string, unknown>): Promise<ServerMessage> {
    await this.#connected;
    return this.#send(message);
  }

  #send(message: Record<string, unknown>): Promise<ServerMessage> {
    const id = ++this.#nextId;
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      if (socket === undefined || socket.readyState !== 1) {
        reject(new Error("not connected"));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no reply to ${String(message["type"])} in time`));
      }, this.#options.requestTimeoutMs ?? 10_000);
      this.#pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...message, id }));
    });
  }

  #open(): void {
    const Ctor = this.#options.WebSocket ?? globalThis.WebSocket;
    const socket = new Ctor(this.#url);
    this.#socket = socket;
    socket.onmessage = (e) => this.#receive(JSON.parse(String(e.data)) as ServerMessage);
    socket.onclose = () => {
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error("connection closed"));
      }
      this.#pending.clear();
      if (this.#closed) return;
      this.#connected = this.#newConnectedPromise();
      const min = this.#options.minReconnectMs ?? 250;
      const max = this.#options.maxReconnectMs ?? 10_000;
      const delay = Math.min(max, min * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.#open(), delay);
    };
  }

  /** After (re)connecting: auth, subscriptions, missed events, presence; then ready. */
  async #restore(): Promise<void> {
    const token = typeof this.#options.token === "function" ? this.#options.token() : this.#options.token;
    if (token) await this.#refusable("auth", this.#send({ type: "auth", token }));
    // resume first: the server replays what was missed once the subscriptions are set, before any
    // live event, so nothing arrives twice or out of order
    if (this.#lastEventId !== undefined) await this.#send({ type: "resume", lastEventId: this.#lastEventId });
    const topics = [...this.#listeners.keys()];
    const records = topics.filter((t) => !t.startsWith("@"));
    this.#subscribed.clear();
    for (const t of records) this.#subscribed.add(t);
    if (records.length > 0) await this.#send({ type: "subscribe", topics: records });
    // channels one by one: one that is refused now (its rule changed) must not hold back the rest
    for (const t of topics.filter((t) => t.startsWith("@"))) {
      this.#subscribed.add(t);
      if (!(await this.#refusable(t, this.#send({ type: "subscribe", topics: [t] })))) {
        this.#subscribed.delete(t);
        this.#listeners.delete(t);
      }
    }
    for (const [channel, state] of this.#presence)
      if (!(await this.#refusable(`join:${channel}`, this.#send({ type: "join", channel, state }))))
        this.#presence.delete(channel);
  }

  /** Awaits a restoring request; a refusal is reported (false), anything else (a lost connection) thrown. */
  async #refusable(what: string, request: Promise<ServerMessage>): Promise<boolean> {
    try {
      await request;
      return true;
    } catch (err) {
      if (!(err instanceof RealtimeError)) throw err;
      this.#options.onError?.(err, what);
      return false;
    }
  }

  #receive(m: ServerMessage): void {
    switch (m.type) {
      case "connected":
        this.clientId = m.clientId;
        this.presenceId = m.presenceId;
        this.#lastEventId ??= m.lastEventId;
        this.#restore().then(
          () => {
            this.#attempt = 0;
            this.#options.onConnect?.(m.clientId);
            this.#markConnected();
          },
          () => this.#socket?.close(), // retried by the reconnect
        );
        return;
      case "ack":
      case "pong":
      case "error": {
        const pending = m.id === undefined ? undefined : this.#pending.get(m.id);
        if (pending === undefined) return;
        this.#pending.delete(m.id!);
        clearTimeout(pending.timer);
        if (m.type === "error") pending.reject(new RealtimeError(m.error));
        else pending.resolve(m);
        return;
      }
      case "event":
        if (m.id !== undefined) this.#lastEventId = m.id;
        for (const callback of this.#listeners.get(m.topic) ?? []) callback(m.data);
        return;
      case "resync":
        this.#lastEventId = m.lastEventId;
        this.#options.onResync?.(m.reason);
        return;
      case "reconnect":
        return; // the close that follows reconnects (to another instance behind a load balancer)
    }
  }
}
