import assert from "node:assert/strict";
import { test } from "node:test";
import { splitTokens, trimChars } from "./sql-tokenizer.ts";

test("splits on separators outside parentheses and quotes", () => {
  assert.deepEqual(splitTokens("a, lower(b, c), 'x,y', `q,r`", { separators: [","] }), [
    "a",
    "lower(b, c)",
    "'x,y'",
    "`q,r`",
  ]);
});

test("keeps the separator when asked and drops empty tokens", () => {
  assert.deepEqual(splitTokens("a  b", { separators: [" "], keepSeparator: true }), ["a ", " ", "b"]);
  assert.deepEqual(splitTokens(",,a,", { separators: [","] }), ["a"]);
});

test("rejects unbalanced quotes and parentheses", () => {
  assert.throws(() => splitTokens("a, (b", { separators: [","] }), /unbalanced/);
  assert.throws(() => splitTokens("'abc", { separators: [","] }), /unbalanced/);
});

test("trims a set of characters", () => {
  assert.equal(trimChars("`[name]`", "`[]"), "name");
});
