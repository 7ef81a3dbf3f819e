// Light realtime subscribers for the bench: SSE over a raw socket (PocketBase's protocol) and Plinth's
// WebSocket protocol over `ws`. Each hands every event it receives, with its arrival time, to `onEvent`.
import { Agent, request } from "node:http";
import { connect as netConnect } from "node:net";
import WebSocket from "ws";
import { delay } from "./child.ts";

/** The realtime transports Plinth offers. */
export type Transport = "sse" | "ws";

/** One open subscribed connection. */
export interface Subscriber {
  readonly index: number;
  /** Closes the connection (a close after this is not reported as a failure). */
  close(): void;
}

/** What a subscriber reports to the harness. */
export interface SubscriberHooks {
  /** An event's text (SSE block or WebSocket message) and `performance.now()` when it was read. */
  onEvent(index: number, text: string, arrival: number): void;
  /** The connection failed or closed before `close()` was called. */
  onFailure(index: number, reason: string): void;
}

/** How one subscriber connects. */
export interface ConnectOptions {
  readonly base: string;
  readonly transport: Transport;
  readonly index: number;
  readonly topic: string;
  /** A user's token: sent as Authorization on the SSE subscription request, or as an `auth` message. */
  readonly token?: string | undefined;
  readonly hooks: SubscriberHooks;
  /** Shared keep-alive agent for the SSE subscription requests. */
  readonly agent: Agent;
}

/** Set-up (connect + subscribe) of one subscriber must finish within this. */
const SETUP_TIMEOUT_MS = 15_000;

/** A keep-alive agent for subscription POSTs (a few sockets, reused). */
export function subscriptionAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 32 });
}

/** Connects and subscribes one client; rejects when set-up fails or takes longer than the deadline. */
export function connectSubscriber(opts: ConnectOptions): Promise<Subscriber> {
  const connect = opts.transport === "sse" ? connectSse : connectWs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`set-up took over ${SETUP_TIMEOUT_MS} ms`)), SETUP_TIMEOUT_MS);
  });
  const attempt = connect(opts);
  return Promise.race([attempt, timeout])
    .finally(() => clearTimeout(timer))
    .catch((err: unknown) => {
      // a connection that finishes after the deadline must not stay open
      void attempt.then((s) => s.close()).catch(() => {});
      throw err;
    });
}

function postSubscriptions(opts: ConnectOptions, clientId: string): Promise<void> {
  const body = JSON.stringify({ clientId, subscriptions: [opts.topic] });
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  };
  if (opts.token !== undefined) headers["authorization"] = opts.token;
  return new Promise((resolve, reject) => {
    const req = request(
      `${opts.base}/api/realtime`,
      { method: "POST", headers, agent: opts.agent },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () =>
          res.statusCode === 204
            ? resolve()
            : reject(new Error(`POST /api/realtime → ${res.statusCode}: ${text.slice(0, 200)}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The SSE stream over a raw TCP socket: the GET is written by hand and the reply scanned for event blocks
 * (`\n\n`-terminated) without decoding HTTP's chunked framing. The size lines between chunks end up at the
 * start of a block, where they do no harm: a block is only searched for the PB_CONNECT id or handed over
 * whole. This costs the harness less per event than `node:http`'s client (about 7–9 µs against 9–11 µs
 * per delivery here), and the harness's time is part of every latency it reads.
 */
async function connectSse(opts: ConnectOptions): Promise<Subscriber> {
  let closing = false;
  let failed = false;
  const fail = (reason: string): void => {
    if (closing || failed) return;
    failed = true;
    opts.hooks.onFailure(opts.index, reason);
  };
  const url = new URL(opts.base);
  const socket = netConnect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  socket.setEncoding("utf8");
  const clientId = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    let headers = true;
    let id: string | undefined;
    socket.on("connect", () => {
      socket.write(`GET /api/realtime HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on("data", (chunk: string) => {
      const arrival = performance.now();
      buffer += chunk;
      if (headers) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        if (!buffer.startsWith("HTTP/1.1 200")) {
          reject(new Error(`GET /api/realtime → ${buffer.slice(0, buffer.indexOf("\r\n"))}`));
          socket.destroy();
          return;
        }
        headers = false;
        buffer = buffer.slice(end + 4);
      }
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (id === undefined) {
          const m = /id:([^\n]+)\nevent:PB_CONNECT/.exec(block);
          if (m?.[1] !== undefined) resolve((id = m[1]));
          continue;
        }
        if (block.includes("\nevent:")) opts.hooks.onEvent(opts.index, block, arrival);
        // else a heartbeat comment
      }
    });
    socket.on("error", (err) => {
      reject(err);
      fail(`socket error: ${err.message}`);
    });
    socket.on("close", () => {
      reject(new Error("stream closed before PB_CONNECT"));
      fail("stream closed by the server");
    });
  });
  try {
    await postSubscriptions(opts, clientId);
  } catch (err) {
    closing = true;
    socket.destroy();
    throw err;
  }
  return {
    index: opts.index,
    close: () => {
      closing = true;
      socket.destroy();
    },
  };
}

async function connectWs(opts: ConnectOptions): Promise<Subscriber> {
  const url = `${opts.base.replace(/^http/, "ws")}/api/ws`;
  const socket = new WebSocket(url, { perMessageDeflate: false });
  let closing = false;
  let failed = false;
  const fail = (reason: string): void => {
    if (closing || failed) return;
    failed = true;
    opts.hooks.onFailure(opts.index, reason);
  };
  /** Replies to our numbered messages, by id. */
  const waiting = new Map<number, (m: { type: string; error?: unknown }) => void>();
  let connected: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    connected = resolve;
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("closed during set-up")));
  });
  socket.on("message", (data: WebSocket.RawData) => {
    const arrival = performance.now();
    const text = String(data);
    if (text.startsWith('{"type":"event"')) {
      opts.hooks.onEvent(opts.index, text, arrival);
      return;
    }
    const m = JSON.parse(text) as { type: string; id?: number; error?: unknown };
    if (m.type === "connected") connected?.();
    else if (m.id !== undefined) waiting.get(m.id)?.(m);
  });
  socket.on("error", (err) => fail(`socket error: ${err.message}`));
  socket.on("close", (code) => fail(`closed by the server (${code})`));
  const ask = (id: number, message: Record<string, unknown>): Promise<void> =>
    new Promise((resolve, reject) => {
      waiting.set(id, (m) => {
        waiting.delete(id);
        if (m.type === "ack") resolve();
        else reject(new Error(`${String(message["type"])} → ${JSON.stringify(m).slice(0, 200)}`));
      });
      socket.send(JSON.stringify({ ...message, id }));
    });
  try {
    await ready;
    if (opts.token !== undefined) await ask(1, { type: "auth", token: opts.token });
    await ask(2, { type: "subscribe", topics: [opts.topic] });
  } catch (err) {
    closing = true;
    socket.terminate();
    throw err;
  }
  return {
    index: opts.index,
    close: () => {
      closing = true;
      socket.terminate();
    },
  };
}

/** The outcome of connecting many subscribers. */
export interface ConnectedSet {
  readonly subscribers: Subscriber[];
  /** Set-up failures, with the first few reasons. */
  readonly errors: number;
  readonly reasons: string[];
  readonly setupSec: number;
}

/**
 * Connects `count` subscribers in batches (`batch` at once, then a short pause), so set-up is spread out
 * and never overlaps the measured run. A failure is counted, not thrown.
 */
export async function connectMany(opts: {
  readonly count: number;
  readonly batch: number;
  readonly pauseMs: number;
  readonly connect: (index: number) => Promise<Subscriber>;
}): Promise<ConnectedSet> {
  const t0 = performance.now();
  const subscribers: Subscriber[] = [];
  const reasons: string[] = [];
  let errors = 0;
  for (let start = 0; start < opts.count; start += opts.batch) {
    const indexes = Array.from({ length: Math.min(opts.batch, opts.count - start) }, (_, i) => start + i);
    const settled = await Promise.allSettled(indexes.map((i) => opts.connect(i)));
    for (const s of settled) {
      if (s.status === "fulfilled") subscribers.push(s.value);
      else {
        errors++;
        if (reasons.length < 5) reasons.push((s.reason as Error).message);
      }
    }
    await delay(opts.pauseMs);
  }
  return { subscribers, errors, reasons, setupSec: (performance.now() - t0) / 1000 };
}
