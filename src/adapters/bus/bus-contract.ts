import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";

/**
 * The behaviour every Bus implementation must show, as node:test tests (this is a test helper, not a
 * test file: each adapter's test file calls it). "A" and "B" stand for two instances connected to
 * the same bus, e.g. two servers on one database; an adapter that has only one instance per bus
 * (the in-process bus) passes the same object twice.
 *
 * Absence of a message is never awaited with a timer: the test publishes a marker after it, and
 * since one publisher's messages arrive in order, once the marker is in, the other is not coming.
 */

/** Two instances on one bus, and how to tear them down (after the test closed some of them). */
export interface BusPair {
  readonly a: Bus;
  readonly b: Bus;
  close(): Promise<void>;
}

/** Options of the suite. */
export interface BusContractOptions {
  /** Why the suite cannot run here (e.g. the server is unreachable); it is then reported as skipped. */
  readonly skip?: string | undefined;
}

/** Every test fails instead of hanging when an awaited message never comes. */
const TEST_TIMEOUT_MS = 15_000;

/** Defines the contract tests for one Bus implementation. */
export function busContractSuite(
  name: string,
  makeInstances: () => Promise<BusPair>,
  options: BusContractOptions = {},
): void {
  /**
   * Runs `body` with a fresh pair, always closing it; also when the test times out while `body` still
   * waits for a message, so open connections cannot keep the test process alive.
   */
  async function withPair(signal: AbortSignal, body: (pair: BusPair) => Promise<void>): Promise<void> {
    const pair = await makeInstances();
    const closeOnAbort = () => void pair.close();
    signal.addEventListener("abort", closeOnAbort, { once: true });
    try {
      await body(pair);
    } finally {
      signal.removeEventListener("abort", closeOnAbort);
      await pair.close();
    }
  }

  const it = (title: string, body: (pair: BusPair) => Promise<void>) =>
    test(title, { timeout: TEST_TIMEOUT_MS }, (t) => withPair(t.signal, body));

  describe(`${name} bus contract`, { skip: options.skip ?? false }, () => {
    it("reports itself connected while open", async ({ a, b }) => {
      assert.equal(a.status().connected, true);
      assert.equal(b.status().connected, true);
      assert.equal(a.status().kind, a.kind);
    });

    it("delivers a message published on A to subscribers on A and on B", async ({ a, b }) => {
      const channel = uniqueChannel("fanout");
      const onA = inbox();
      const onB = inbox();
      await a.subscribe(channel, onA.handler);
      await b.subscribe(channel, onB.handler);
      await a.publish(channel, "hello");
      assert.deepEqual(await onA.until(1), ["hello"]);
      assert.deepEqual(await onB.until(1), ["hello"]);
    });

    it("delivers only to subscribers of the message's channel", async ({ a, b }) => {
      const first = uniqueChannel("first");
      const second = uniqueChannel("second");
      const onFirst = inbox();
      const onSecond = inbox();
      await b.subscribe(first, onFirst.handler);
      await b.subscribe(second, onSecond.handler);
      await a.publish(first, "for first");
      await a.publish(second, "for second");
      assert.deepEqual(await onSecond.until(1), ["for second"]);
      assert.deepEqual(await onFirst.until(1), ["for first"]);
    });

    it("keeps one publisher's 200 messages in publish order", async ({ a, b }) => {
      const channel = uniqueChannel("order");
      const onA = inbox();
      const onB = inbox();
      await a.subscribe(channel, onA.handler);
      await b.subscribe(channel, onB.handler);
      const expected = Array.from({ length: 200 }, (_, i) => `message ${i}`);
      // Published without waiting for each other: ordering must not depend on the caller awaiting.
      await Promise.all(expected.map((m) => a.publish(channel, m)));
      assert.deepEqual(await onB.until(200), expected);
      assert.deepEqual(await onA.until(200), expected);
    });

    it("stops delivering to an ended subscription while others on the channel still receive", async ({
      a,
      b,
    }) => {
      const channel = uniqueChannel("unsub");
      const ended = inbox();
      const kept = inbox();
      const end = await b.subscribe(channel, ended.handler);
      await b.subscribe(channel, kept.handler);
      await end();
      await a.publish(channel, "after");
      assert.deepEqual(await kept.until(1), ["after"]);
      assert.deepEqual(ended.messages, []);
    });

    it("stops delivery when the last subscription of a channel ends", async ({ a, b }) => {
      const channel = uniqueChannel("last");
      const marker = uniqueChannel("marker");
      const ended = inbox();
      const onMarker = inbox();
      const end = await b.subscribe(channel, ended.handler);
      await b.subscribe(marker, onMarker.handler);
      await end();
      await end(); // ending twice is harmless
      await a.publish(channel, "lost");
      await a.publish(marker, "marker");
      await onMarker.until(1);
      assert.deepEqual(ended.messages, []);
    });

    it("delivers a message of exactly BUS_MAX_MESSAGE_BYTES UTF-8 bytes intact", async ({ a, b }) => {
      const channel = uniqueChannel("max");
      const onB = inbox();
      await b.subscribe(channel, onB.handler);
      const largest = "€".repeat(BUS_MAX_MESSAGE_BYTES / 3); // 3 bytes each in UTF-8
      assert.equal(Buffer.byteLength(largest), BUS_MAX_MESSAGE_BYTES);
      await a.publish(channel, largest);
      assert.deepEqual(await onB.until(1), [largest]);
    });

    it("rejects a message over BUS_MAX_MESSAGE_BYTES UTF-8 bytes and delivers nothing", async ({ a, b }) => {
      const channel = uniqueChannel("big");
      const onB = inbox();
      await b.subscribe(channel, onB.handler);
      // Fewer characters than the limit, more bytes: the bound is on bytes.
      const oversized = "é".repeat(BUS_MAX_MESSAGE_BYTES / 2 + 1);
      assert.ok(oversized.length < BUS_MAX_MESSAGE_BYTES);
      await assert.rejects(
        a.publish(channel, oversized),
        new RegExp(`limit is ${BUS_MAX_MESSAGE_BYTES} bytes`),
      );
      await a.publish(channel, "after");
      assert.deepEqual(await onB.until(1), ["after"]);
    });

    it("rejects a message containing a NUL character, which PostgreSQL cannot carry", async ({ a }) => {
      await assert.rejects(a.publish(uniqueChannel("nul"), "a\u0000b"), /NUL/);
    });

    it("rejects channel names that are not safe identifiers", async ({ a }) => {
      const bad = ["", "Upper", "1starts_with_digit", "has-dash", 'quote"d', "spa ce", "x".repeat(64), "é"];
      for (const channel of bad) {
        await assert.rejects(a.publish(channel, "m"), /Invalid bus channel name/, channel);
        await assert.rejects(
          a.subscribe(channel, () => {}),
          /Invalid bus channel name/,
          channel,
        );
      }
    });

    it("round-trips unicode messages unchanged", async ({ a, b }) => {
      const channel = uniqueChannel("unicode");
      const onB = inbox();
      await b.subscribe(channel, onB.handler);
      const messages = [
        "Grüße, 世界! Привет, мир",
        "emoji 🌍👩‍👩‍👧 and combining é (e\u0301)",
        '{"quote":"\\"","newline":"\\n","tab":"\t","backslash":"\\\\","rtl":"مرحبا"}',
        "",
      ];
      for (const m of messages) await a.publish(channel, m);
      assert.deepEqual(await onB.until(messages.length), messages);
    });

    it("closes idempotently, and rejects publish and subscribe once closed", async ({ a }) => {
      const channel = uniqueChannel("closed");
      await a.close();
      await a.close();
      assert.equal(a.status().connected, false);
      await assert.rejects(a.publish(channel, "late"), /closed/);
      await assert.rejects(
        a.subscribe(channel, () => {}),
        /closed/,
      );
    });
  });
}

/** A channel name no other test, file or concurrent run uses. */
export function uniqueChannel(label: string): string {
  return `t${randomBytes(6).toString("hex")}_${label}`;
}

/** Collects messages; `until(n)` resolves once `n` have arrived. */
export function inbox(): {
  readonly messages: string[];
  readonly handler: (message: string) => void;
  until(count: number): Promise<string[]>;
} {
  const messages: string[] = [];
  let waiters: { count: number; resolve: (messages: string[]) => void }[] = [];
  return {
    messages,
    handler(message) {
      messages.push(message);
      const ready = waiters.filter((w) => messages.length >= w.count);
      waiters = waiters.filter((w) => messages.length < w.count);
      for (const w of ready) w.resolve(messages);
    },
    until(count) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/**
 * Why tests needing a server must skip: undefined when `probe` succeeds, or when `ci` is true, where
 * a missing server must fail the tests rather than hide them.
 */
export async function skipUnlessReachable(
  what: string,
  url: string,
  probe: () => Promise<void>,
  ci: boolean,
): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (err) {
    return ci
      ? undefined
      : `${what} unreachable at ${url} (${err instanceof Error ? err.message : String(err)})`;
  }
}
