import { BUS_CHANNEL_PATTERN, BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";
import { PlinthError } from "../../core/errors.ts";

/**
 * Checks every bus applies the same way, so code that works on the in-process bus in development
 * cannot start failing on PostgreSQL or Redis in production.
 */

/** Throws unless `channel` matches BUS_CHANNEL_PATTERN (it is later quoted as a SQL identifier). */
export function checkChannel(channel: string): void {
  if (typeof channel !== "string" || !BUS_CHANNEL_PATTERN.test(channel)) {
    throw new PlinthError(
      "invalid_input",
      `Invalid bus channel name ${JSON.stringify(channel)}: it must match ${BUS_CHANNEL_PATTERN}.`,
    );
  }
}

/**
 * Throws unless `message` fits BUS_MAX_MESSAGE_BYTES in UTF-8 and has no NUL character
 * (PostgreSQL text cannot hold one, so NOTIFY would fail there).
 */
export function checkMessage(message: string): void {
  if (typeof message !== "string") {
    throw new PlinthError("invalid_input", "A bus message must be a string.");
  }
  const bytes = Buffer.byteLength(message, "utf8");
  if (bytes > BUS_MAX_MESSAGE_BYTES) {
    throw new PlinthError(
      "payload_too_large",
      `Bus message is ${bytes} bytes; the limit is ${BUS_MAX_MESSAGE_BYTES} bytes of UTF-8.`,
    );
  }
  if (message.includes("\u0000")) {
    throw new PlinthError("invalid_input", "A bus message may not contain a NUL character.");
  }
}

/** The error publish and subscribe reject with once the bus is closed. */
export function closedError(kind: Bus["kind"]): PlinthError {
  return new PlinthError("unavailable", `The ${kind} bus is closed.`);
}

/**
 * Settles like `work`, or rejects with an `unavailable` error after `ms`: the bus contract says
 * publish never hangs past its timeout, whatever the driver does. The timer never keeps the process alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new PlinthError("unavailable", `${what} did not finish within ${ms} ms.`));
    }, ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Backoff before reconnect attempt `attempt` (1-based): doubles from `min`, capped at `max`. */
export function backoffMs(attempt: number, bounds: ReconnectDelay): number {
  return Math.min(bounds.min * 2 ** Math.max(0, attempt - 1), bounds.max);
}

/** Bounds of the reconnect backoff, in milliseconds. */
export interface ReconnectDelay {
  readonly min: number;
  readonly max: number;
}

/** 100 ms doubling to 5 s: quick after a blip, gentle on a database that is restarting. */
export const DEFAULT_RECONNECT_DELAY: ReconnectDelay = { min: 100, max: 5_000 };

/** How long a publish may take by default before it rejects. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/** How often a bus probes its listening connection by default. */
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;

/**
 * Every `intervalMs`, runs `probe`, one at a time (it returns undefined when there is nothing to
 * probe right now, and handles its own failure). Returns the stop function.
 */
export function startProbe(probe: () => Promise<unknown> | undefined, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    const check = probe();
    if (check === undefined) return;
    running = true;
    check
      .catch(() => {})
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref(); // a bus that is only probing must not keep a finished process alive
  return () => clearInterval(timer);
}
