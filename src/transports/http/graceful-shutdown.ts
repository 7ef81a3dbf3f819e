import type { FastifyInstance } from "fastify";

/** Options for closeGracefully. */
export interface CloseOptions {
  /** How long in-flight requests may take to finish before their connections are cut. */
  readonly timeoutMs: number;
}

/**
 * Stops accepting connections, lets in-flight requests finish (new requests on open keep-alive
 * connections get 503 with `Connection: close`), runs the close hooks and resolves. Connections
 * still busy after `timeoutMs` are destroyed; `forced` then says so.
 */
export async function closeGracefully(
  app: FastifyInstance,
  options: CloseOptions,
): Promise<{ forced: boolean }> {
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    app.server.closeAllConnections();
  }, options.timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  return { forced };
}
