import type { IdGen } from "../../core/clock.ts";
import { BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";
import { type ErrorCode, isPlinthError, PlinthError } from "../../core/errors.ts";

/** What a request made over REST asks of a connection (the SSE client's subscriptions and channels). */
export type ConnectionRequest =
  | { readonly kind: "subscribe"; readonly subscriptions: string[] }
  | { readonly kind: "join"; readonly channel: string; readonly state: unknown }
  | { readonly kind: "leave"; readonly channel: string }
  | { readonly kind: "broadcast"; readonly channel: string; readonly event: unknown; readonly data: unknown };

/**
 * A request for a connection held by another instance (a load balancer sent the POST elsewhere than
 * the stream): the instance holding it applies it and answers.
 */
export interface ForwardedRequest {
  readonly t: "sub";
  readonly o: string;
  /** Request id, echoed in the answer. */
  readonly q: string;
  readonly clientId: string;
  readonly token?: string | undefined;
  readonly request: ConnectionRequest;
}

/** The answer of an instance to a forwarded request. */
export interface ForwardedAnswer {
  readonly t: "sub-r";
  readonly o: string;
  readonly q: string;
  /** This instance does not hold the connection. */
  readonly miss?: true;
  readonly error?: { code: ErrorCode; message: string } | undefined;
}

/** What forwarding needs. */
export interface RequestForwardingDeps {
  readonly bus: Bus;
  readonly channel: string;
  /** This instance's id, in every message it sends. */
  readonly origin: string;
  readonly ids: IdGen;
  readonly log: { warn(obj: object, msg: string): void };
  /** How many other instances are alive: each answers a forwarded request, so a miss is known early. */
  readonly peers: () => number;
  /**
   * Applies a forwarded request if this instance holds the connection: `held: false` when it does
   * not; throws (a PlinthError) when the request is refused.
   */
  readonly apply: (
    clientId: string,
    token: string | undefined,
    request: ConnectionRequest,
  ) => Promise<{ held: boolean }>;
}

/** How long a forwarded request waits for the instance holding the connection. */
const FORWARD_TIMEOUT_MS = 3_000;
const REQUEST_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function notFound(): PlinthError {
  return new PlinthError("not_found", "Missing or invalid client id.");
}

/** Whether a request from the bus has the shape `ConnectionRequest` promises. */
function isConnectionRequest(r: unknown): r is ConnectionRequest {
  if (typeof r !== "object" || r === null) return false;
  const x = r as Record<string, unknown>;
  if (x["kind"] === "subscribe") return Array.isArray(x["subscriptions"]);
  return (
    (x["kind"] === "join" || x["kind"] === "leave" || x["kind"] === "broadcast") &&
    typeof x["channel"] === "string"
  );
}

/**
 * Requests for a connection (subscriptions, presence, broadcasts of an SSE client) that reach
 * another instance than the connection's: sent over the bus to every instance, applied by the one
 * that holds the connection, answered (also by those that do not, so a request for a connection
 * nobody holds fails early rather than at the timeout). No sticky sessions are needed.
 */
export function createRequestForwarding(deps: RequestForwardingDeps) {
  /** Forwarded requests waiting for their answer, by request id. */
  const waiting = new Map<string, (answer: ForwardedAnswer) => void>();

  async function answer(m: ForwardedRequest): Promise<void> {
    let reply: ForwardedAnswer = { t: "sub-r", o: deps.origin, q: m.q, miss: true };
    if (typeof m.clientId === "string" && isConnectionRequest(m.request)) {
      let error: ForwardedAnswer["error"];
      let held = true;
      try {
        held = (await deps.apply(m.clientId, m.token, m.request)).held;
      } catch (err) {
        error = isPlinthError(err)
          ? { code: err.code, message: err.message }
          : { code: "internal", message: "" };
      }
      if (held) reply = { t: "sub-r", o: deps.origin, q: m.q, error };
    }
    await deps.bus.publish(deps.channel, JSON.stringify(reply)).catch((err: unknown) => {
      deps.log.warn({ err }, "realtime could not answer a forwarded subscription request");
    });
  }

  return {
    /** A forwarding message from another instance (request or answer). */
    receive(message: ForwardedRequest | ForwardedAnswer): void {
      if (message.t === "sub") void answer(message);
      else waiting.get(message.q)?.(message);
    },

    /** Asks the other instances to apply a request for a connection this one does not hold. */
    async forward(clientId: string, token: string | undefined, request: ConnectionRequest): Promise<void> {
      const peers = deps.peers();
      if (peers === 0) throw notFound();
      const q = deps.ids.random(20, REQUEST_ID_ALPHABET);
      const message: ForwardedRequest = { t: "sub", o: deps.origin, q, clientId, token, request };
      const text = JSON.stringify(message);
      if (Buffer.byteLength(text) > BUS_MAX_MESSAGE_BYTES)
        throw new PlinthError(
          "payload_too_large",
          "The request is too large to pass to the instance holding the connection; send it to that instance or make it smaller.",
        );
      let timer: NodeJS.Timeout | undefined;
      let misses = 0;
      const reply = await new Promise<ForwardedAnswer | undefined>((resolve) => {
        waiting.set(q, (a) => {
          if (a.miss === undefined) resolve(a);
          else if (++misses >= peers) resolve(undefined);
        });
        timer = setTimeout(() => resolve(undefined), FORWARD_TIMEOUT_MS);
        deps.bus.publish(deps.channel, text).catch(() => resolve(undefined));
      }).finally(() => {
        clearTimeout(timer);
        waiting.delete(q);
      });
      if (reply === undefined) throw notFound();
      if (reply.error !== undefined) throw new PlinthError(reply.error.code, reply.error.message);
    },
  };
}
