import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { createHmacTokenSigner } from "./hmac-token-signer.ts";

const signer = createHmacTokenSigner();

test("a signed token verifies with its key before it expires", () => {
  const token = signer.sign({ id: "abc", type: "auth" }, "key1", 2000);
  assert.deepEqual(signer.verify(token, "key1", 1000), { id: "abc", type: "auth", exp: 2000 });
});

test("a token is refused with another key, after expiry, or tampered", () => {
  const token = signer.sign({ id: "abc" }, "key1", 2000);
  assert.equal(signer.verify(token, "key2", 1000), null);
  assert.equal(signer.verify(token, "key1", 2000), null);
  const [h, , s] = token.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ id: "root", exp: 9e9 })).toString("base64url")}.${s}`;
  assert.equal(signer.verify(forged, "key1", 1000), null);
});

test("alg none and other algorithms are refused", () => {
  const payload = Buffer.from(JSON.stringify({ id: "abc", exp: 9e9 })).toString("base64url");
  const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
  assert.equal(signer.verify(none, "key1", 1), null);
  const hs512Header = Buffer.from(JSON.stringify({ alg: "HS512" })).toString("base64url");
  const sig = createHmac("sha512", "key1").update(`${hs512Header}.${payload}`).digest("base64url");
  assert.equal(signer.verify(`${hs512Header}.${payload}.${sig}`, "key1", 1), null);
});

test("malformed input is null, never a throw", () => {
  for (const bad of ["", "a.b", "a.b.c.d", "x".repeat(5000), "###.###.###"])
    assert.equal(signer.peek(bad), null);
});
