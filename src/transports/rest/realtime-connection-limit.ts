import type { IncomingMessage } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { PlinthError } from "../../core/errors.ts";

/**
 * Counts open realtime connections (SSE and WebSocket together) per client address, so one client
 * cannot hold every file descriptor. The address is Fastify's `request.ip`: behind a proxy that is
 * the proxy's unless it is listed in `--trusted-proxies`.
 */
export function createConnectionLimit(maxPerAddress: number) {
  const open = new Map<string, number>();
  /** How to give back each admitted request's share (once). */
  const releases = new WeakMap<IncomingMessage, () => void>();
  return {
    /**
     * A preHandler: 429 when the address already holds its share; otherwise counts the connection
     * until its releaser is called, or until its socket closes, whichever is first (a WebSocket handshake the
     * upgrade then refuses never reaches the route that would release it).
     */
    async admit(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
      const address = req.ip;
      const n = open.get(address) ?? 0;
      if (n >= maxPerAddress)
        throw new PlinthError(
          "rate_limited",
          `Too many realtime connections from this address (at most ${maxPerAddress}).`,
        );
      open.set(address, n + 1);
      const socket = req.raw.socket;
      let released = false;
      // captures the address and socket only: the connection may outlive the request objects
      const release = () => {
        if (released) return;
        released = true;
        socket?.off("close", release);
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      };
      releases.set(req.raw, release);
      socket?.once("close", release);
    },
    /** What ends the connection admitted for `req`, to call once it has ended (holds no request objects). */
    releaser(req: FastifyRequest): () => void {
      return releases.get(req.raw) ?? (() => {});
    },
  };
}

/** The limit's type. */
export type ConnectionLimit = ReturnType<typeof createConnectionLimit>;
