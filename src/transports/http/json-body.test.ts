import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { parseJsonBody } from "./json-body.ts";

function rejects(text: string, maxDepth = 8): void {
  assert.throws(
    () => parseJsonBody(text, maxDepth),
    (err) => isPlinthError(err) && err.code === "invalid_input",
  );
}

test("parses objects, arrays and scalars", () => {
  assert.deepEqual(parseJsonBody('{"a":[1,{"b":"x"}]}', 8), { a: [1, { b: "x" }] });
  assert.deepEqual(parseJsonBody("[1,2]", 8), [1, 2]);
  assert.equal(parseJsonBody("3", 8), 3);
});

test("reads an empty or blank body as undefined", () => {
  assert.equal(parseJsonBody("", 8), undefined);
  assert.equal(parseJsonBody("  \n", 8), undefined);
});

test("rejects malformed JSON", () => {
  rejects('{"a":');
  rejects("{'a':1}");
  rejects('{"a":1},x');
});

test("accepts nesting up to the limit and rejects one level more", () => {
  assert.deepEqual(parseJsonBody("[[[1]]]", 3), [[[1]]]);
  rejects("[[[[1]]]]", 3);
  rejects('{"a":{"b":{"c":{}}}}', 3);
});

test("does not count brackets inside strings, escaped quotes included", () => {
  assert.deepEqual(parseJsonBody('{"a":"[[[[\\"{{{{"}', 1), { a: '[[[["{{{{' });
});

test("rejects a very deep body without exhausting the stack", () => {
  rejects("[".repeat(200_000) + "]".repeat(200_000), 64);
});

test("rejects __proto__ keys, escaped spellings included", () => {
  rejects('{"__proto__":{"admin":true}}');
  rejects('{"a":[{"\\u005f_proto__":1}]}');
  assert.deepEqual(parseJsonBody('{"proto":"\\u0041"}', 8), { proto: "A" });
});
