import type { FastifyReply, FastifyRequest } from "fastify";
import { PlinthError } from "../../core/errors.ts";

/**
 * Counts open realtime connections (SSE and WebSocket together) per client address, so one client
 * cannot hold every file descriptor. The address is Fastify's `request.ip`: behind a proxy that is
 * the proxy's unless it is listed in `--trusted-proxies`.
 */
export function createConnectionLimit(maxPerAddress: number) {
  const open = new Map<string, number>();
  return {
    /** A preHandler: 429 when the address already holds its share; otherwise counts the connection. */
    async admit(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
      const n = open.get(req.ip) ?? 0;
      if (n >= maxPerAddress)
        throw new PlinthError(
          "rate_limited",
          `Too many realtime connections from this address (at most ${maxPerAddress}).`,
        );
      open.set(req.ip, n + 1);
    },
    /** The connection admitted for `address` has ended. */
    release(address: string): void {
      const n = (open.get(address) ?? 1) - 1;
      if (n <= 0) open.delete(address);
      else open.set(address, n);
    },
  };
}

/** The limit's type. */
export type ConnectionLimit = ReturnType<typeof createConnectionLimit>;
