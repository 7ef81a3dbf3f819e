import type { IdGen } from "../../core/clock.ts";
import type { Bus } from "../../core/bus.ts";
import { type ErrorCode, isPlinthError, PlinthError } from "../../core/errors.ts";

/**
 * A subscription request for a connection held by another instance (a load balancer sent the POST
 * elsewhere than the stream): the instance holding it applies it and answers.
 */
export interface ForwardedSubscriptions {
  readonly t: "sub";
  readonly o: string;
  /** Request id, echoed in the answer. */
  readonly q: string;
  readonly clientId: string;
  readonly token?: string | undefined;
  readonly subscriptions: string[];
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
export interface SubscriptionForwardingDeps {
  readonly bus: Bus;
  readonly channel: string;
  /** This instance's id, in every message it sends. */
  readonly origin: string;
  readonly ids: IdGen;
  readonly log: { warn(obj: object, msg: string): void };
  /** How many other instances are alive: each answers a forwarded request, so a miss is known early. */
  readonly peers: () => number;
  /**
   * Applies a forwarded request if this instance holds the connection: false when it does not; throws
   * (a PlinthError) when the request is refused.
   */
  readonly apply: (clientId: string, token: string | undefined, subscriptions: string[]) => Promise<boolean>;
}

/** How long a forwarded subscription request waits for the instance holding the connection. */
const FORWARD_TIMEOUT_MS = 3_000;
const REQUEST_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function notFound(): PlinthError {
  return new PlinthError("not_found", "Missing or invalid client id.");
}

/**
 * Subscription requests that reach another instance than the connection's: sent over the bus to
 * every instance, applied by the one that holds the connection, answered (also by those that do
 * not, so a request for a connection nobody holds fails early rather than at the timeout).
 */
export function createSubscriptionForwarding(deps: SubscriptionForwardingDeps) {
  /** Forwarded requests waiting for their answer, by request id. */
  const waiting = new Map<string, (answer: ForwardedAnswer) => void>();

  async function answer(m: ForwardedSubscriptions): Promise<void> {
    let reply: ForwardedAnswer = { t: "sub-r", o: deps.origin, q: m.q, miss: true };
    if (typeof m.clientId === "string" && Array.isArray(m.subscriptions)) {
      let error: ForwardedAnswer["error"];
      let held = true;
      try {
        held = await deps.apply(m.clientId, m.token, m.subscriptions);
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
    receive(message: ForwardedSubscriptions | ForwardedAnswer): void {
      if (message.t === "sub") void answer(message);
      else waiting.get(message.q)?.(message);
    },

    /** Asks the other instances to apply subscriptions for a connection this one does not hold. */
    async forward(clientId: string, token: string | undefined, subscriptions: string[]): Promise<void> {
      const peers = deps.peers();
      if (peers === 0) throw notFound();
      const q = deps.ids.random(20, REQUEST_ID_ALPHABET);
      const request: ForwardedSubscriptions = { t: "sub", o: deps.origin, q, clientId, token, subscriptions };
      let timer: NodeJS.Timeout | undefined;
      let misses = 0;
      const reply = await new Promise<ForwardedAnswer | undefined>((resolve) => {
        waiting.set(q, (a) => {
          if (a.miss === undefined) resolve(a);
          else if (++misses >= peers) resolve(undefined);
        });
        timer = setTimeout(() => resolve(undefined), FORWARD_TIMEOUT_MS);
        deps.bus.publish(deps.channel, JSON.stringify(request)).catch(() => resolve(undefined));
      }).finally(() => {
        clearTimeout(timer);
        waiting.delete(q);
      });
      if (reply === undefined) throw notFound();
      if (reply.error !== undefined) throw new PlinthError(reply.error.code, reply.error.message);
    },
  };
}
