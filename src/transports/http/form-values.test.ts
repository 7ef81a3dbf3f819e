import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { appendFormValue, inferFormValue, parseUrlEncoded } from "./form-values.ts";

test("infers booleans and canonical numbers as PocketBase does", () => {
  assert.equal(inferFormValue("true"), true);
  assert.equal(inferFormValue("false"), false);
  assert.equal(inferFormValue("12"), 12);
  assert.equal(inferFormValue("-1.5"), -1.5);
  assert.equal(inferFormValue("0.0000001"), 0.0000001);
  assert.equal(inferFormValue("100000000000000000000000"), 1e23);
});

test("keeps non-canonical numbers and other text as strings", () => {
  for (const raw of ["", "0001", "1.50", "1e3", "Infinity", "0.0", ".5", "-", "1.2.3", "TRUE", "abc", " 1"]) {
    assert.equal(inferFormValue(raw), raw, raw);
  }
});

test("turns repeated keys into arrays in submission order", () => {
  const body: Record<string, unknown> = {};
  appendFormValue(body, "tags", "a");
  appendFormValue(body, "tags", "b");
  appendFormValue(body, "tags", 3);
  appendFormValue(body, "constructor", "x");
  assert.deepEqual(body, { tags: ["a", "b", 3], constructor: "x" });
});

test("parses urlencoded bodies with inferred values and repeated keys", () => {
  assert.deepEqual(parseUrlEncoded("title=Hello+world&n=5&ok=true&tag=a&tag=b&empty=", 10), {
    title: "Hello world",
    n: 5,
    ok: true,
    tag: ["a", "b"],
    empty: "",
  });
});

test("rejects a __proto__ key and too many fields", () => {
  assert.throws(
    () => parseUrlEncoded("__proto__=1", 10),
    (e) => isPlinthError(e) && e.code === "invalid_input",
  );
  assert.throws(
    () => parseUrlEncoded("a=1&b=2&c=3", 2),
    (e) => isPlinthError(e) && e.code === "payload_too_large",
  );
});
