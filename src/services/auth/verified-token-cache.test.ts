import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AuthInfo } from "../../core/request-info.ts";
import { createVerifiedTokenCache } from "./verified-token-cache.ts";

function setup(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let nowMs = 1_000_000;
  const clock = { now: () => new Date(nowMs) };
  const cache = createVerifiedTokenCache({
    clock,
    ttlMs: options.ttlMs ?? 5_000,
    maxEntries: options.maxEntries ?? 100,
  });
  const advance = (ms: number): void => {
    nowMs += ms;
  };
  return { cache, advance, now: () => nowMs };
}

const info = (id: string, collectionId = "_pb_users_auth_"): AuthInfo => ({
  collectionId,
  collectionName: "users",
  record: { id },
});
const FAR = Number.MAX_SAFE_INTEGER;

describe("verified-token cache", () => {
  test("a remembered token is returned until its trust window ends", () => {
    const { cache, advance } = setup({ ttlMs: 5_000 });
    cache.remember("t1", info("u1"), FAR, cache.begin());
    assert.equal(cache.lookup("t1")?.record["id"], "u1");
    advance(4_999);
    assert.ok(cache.lookup("t1"));
    advance(1);
    assert.equal(cache.lookup("t1"), undefined);
    assert.equal(cache.size, 0);
  });

  test("a token is never trusted past its own expiry", () => {
    const { cache, advance, now } = setup({ ttlMs: 60_000 });
    cache.remember("t1", info("u1"), now() + 1_000, cache.begin());
    advance(1_000);
    assert.equal(cache.lookup("t1"), undefined);
  });

  test("forgetting a record drops every token of that record and no other", () => {
    const { cache } = setup();
    cache.remember("a1", info("u1"), FAR, cache.begin());
    cache.remember("a2", info("u1"), FAR, cache.begin());
    cache.remember("b1", info("u2"), FAR, cache.begin());
    cache.remember("c1", info("u1", "pbc_other"), FAR, cache.begin());
    cache.forgetRecord("_pb_users_auth_", "u1");
    assert.equal(cache.lookup("a1"), undefined);
    assert.equal(cache.lookup("a2"), undefined);
    assert.ok(cache.lookup("b1"));
    assert.ok(cache.lookup("c1"), "same id in another collection is another record");
  });

  test("a verification that started before an invalidation is not stored", () => {
    const { cache } = setup();
    const started = cache.begin();
    cache.forgetRecord("_pb_users_auth_", "u1"); // the record changes while its old row is being verified
    cache.remember("t1", info("u1"), FAR, started);
    assert.equal(cache.lookup("t1"), undefined);
    cache.remember("t1", info("u1"), FAR, cache.begin());
    assert.ok(cache.lookup("t1"));
  });

  test("clear forgets everything and voids verifications in flight", () => {
    const { cache } = setup();
    cache.remember("t1", info("u1"), FAR, cache.begin());
    const started = cache.begin();
    cache.clear();
    cache.remember("t2", info("u2"), FAR, started);
    assert.equal(cache.size, 0);
  });

  test("the oldest entry is dropped at the bound", () => {
    const { cache } = setup({ maxEntries: 2 });
    cache.remember("t1", info("u1"), FAR, cache.begin());
    cache.remember("t2", info("u2"), FAR, cache.begin());
    cache.remember("t3", info("u3"), FAR, cache.begin());
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("t1"), undefined);
    assert.ok(cache.lookup("t3"));
    // The dropped token's record index is cleaned up too: forgetting u1 leaves the others alone.
    cache.forgetRecord("_pb_users_auth_", "u1");
    assert.equal(cache.size, 2);
  });

  test("a zero bound disables the cache", () => {
    const { cache } = setup({ maxEntries: 0 });
    cache.remember("t1", info("u1"), FAR, cache.begin());
    assert.equal(cache.lookup("t1"), undefined);
  });
});
