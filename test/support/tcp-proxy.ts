import { createServer, type Server, type Socket, connect } from "node:net";

/**
 * What the proxy does with traffic:
 * - `forward`: passes bytes both ways (a healthy network);
 * - `refuse`: nothing listens on the port, so connecting fails with ECONNREFUSED (the database is down);
 * - `blackhole`: new connections are accepted and never answered, and established ones stop
 *   forwarding in both directions (a network partition: nothing fails, nothing arrives).
 */
export type ProxyMode = "forward" | "refuse" | "blackhole";

/** A TCP proxy on 127.0.0.1 the test controls, standing between a server and its database. */
export interface TcpProxy {
  readonly port: number;
  mode(): ProxyMode;
  /** `url` (a postgres://… URL) with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Connections currently open through the proxy (client side). */
  connections(): number;
  /** Destroys every connection through the proxy; the mode is unchanged. */
  cut(): void;
  /** Cuts every connection and stops listening: new connections are refused. */
  refuse(): Promise<void>;
  /** Stops forwarding: established connections stall, new ones are accepted and never answered. */
  blackhole(): void;
  /** Back to forwarding; connections that stalled or hung in the blackhole are cut first. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pipe {
  readonly client: Socket;
  upstream: Socket | null;
  stalled: boolean;
}

/** Starts a proxy from a free loopback port to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  let current: ProxyMode = "forward";
  let server: Server;
  let port = 0;

  function drop(pipe: Pipe): void {
    pipes.delete(pipe);
    pipe.client.destroy();
    pipe.upstream?.destroy();
  }

  function accept(client: Socket): void {
    const pipe: Pipe = { client, upstream: null, stalled: current === "blackhole" };
    pipes.add(pipe);
    client.on("error", () => drop(pipe));
    client.on("close", () => drop(pipe));
    if (pipe.stalled) {
      client.pause(); // accepted, never read, never answered
      return;
    }
    const upstream = connect(target.port, target.host);
    pipe.upstream = upstream;
    upstream.on("error", () => drop(pipe));
    upstream.on("close", () => drop(pipe));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async function listen(on: number): Promise<void> {
    server = createServer(accept);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(on, "127.0.0.1", () => {
        server.off("error", reject);
        const address = server.address();
        if (typeof address === "object" && address !== null) port = address.port;
        resolve();
      });
    });
  }

  async function stopListening(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const pipe of [...pipes]) drop(pipe);
    await closed;
  }

  await listen(0);

  return {
    get port() {
      return port;
    },
    mode: () => current,
    via(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    connections: () => pipes.size,
    cut() {
      for (const pipe of [...pipes]) drop(pipe);
    },
    async refuse() {
      if (current === "refuse") return;
      current = "refuse";
      await stopListening();
    },
    blackhole() {
      if (current === "refuse") throw new Error("restore() the proxy before blackholing it");
      current = "blackhole";
      for (const pipe of pipes) {
        pipe.stalled = true;
        pipe.client.unpipe();
        pipe.upstream?.unpipe();
        pipe.client.pause();
        pipe.upstream?.pause();
      }
    },
    async restore() {
      if (current === "forward") return;
      const was = current;
      current = "forward";
      if (was === "refuse") {
        // the same port again, so the server's configured URL reaches the database once more
        await listen(port);
        return;
      }
      for (const pipe of [...pipes]) if (pipe.stalled) drop(pipe);
    },
    async close() {
      current = "refuse";
      await stopListening();
    },
  };
}
