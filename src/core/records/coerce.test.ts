import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatFloatPlain,
  parseGoFloat,
  runeLength,
  toGoBool,
  toGoFloat,
  toGoString,
  toUniqueStringSlice,
  utf8Length,
} from "./coerce.ts";

test("formatFloatPlain never uses exponent notation", () => {
  assert.equal(formatFloatPlain(1e21), "1000000000000000000000");
  assert.equal(formatFloatPlain(1.5e-7), "0.00000015");
  assert.equal(formatFloatPlain(-2.5e22), "-25000000000000000000000");
  assert.equal(formatFloatPlain(12.5), "12.5");
  assert.equal(formatFloatPlain(-0), "-0");
});

test("toGoString stringifies scalars and drops arrays and objects", () => {
  assert.equal(toGoString(123), "123");
  assert.equal(toGoString(1.25), "1.25");
  assert.equal(toGoString(true), "true");
  assert.equal(toGoString(null), "");
  assert.equal(toGoString(undefined), "");
  assert.equal(toGoString(["a"]), "");
  assert.equal(toGoString({ a: 1 }), "");
});

test("toGoBool accepts only strconv.ParseBool spellings", () => {
  for (const t of ["1", "t", "T", "true", "TRUE", "True"]) assert.equal(toGoBool(t), true, t);
  for (const f of ["0", "f", "false", "on", "yes", "", "tRUE"]) assert.equal(toGoBool(f), false, f);
  assert.equal(toGoBool(2), true);
  assert.equal(toGoBool(0), false);
  assert.equal(toGoBool([1]), false);
});

test("toGoFloat parses strings and reads invalid ones as 0", () => {
  assert.equal(toGoFloat("12.5"), 12.5);
  assert.equal(toGoFloat("-3"), -3);
  assert.equal(toGoFloat("1e3"), 1000);
  assert.equal(toGoFloat(".5"), 0.5);
  assert.equal(toGoFloat("abc"), 0);
  assert.equal(toGoFloat(" 1"), 0);
  assert.equal(toGoFloat(""), 0);
  assert.equal(toGoFloat("1e400"), 0);
  assert.equal(toGoFloat(true), 1);
  assert.equal(toGoFloat(null), 0);
  assert.equal(toGoFloat([1]), 0);
  assert.equal(toGoFloat("Inf"), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(toGoFloat("NaN")));
});

test("parseGoFloat rejects what Go rejects", () => {
  assert.equal(parseGoFloat("1."), 1);
  assert.equal(parseGoFloat("+7"), 7);
  assert.equal(parseGoFloat("1_000"), null);
  assert.equal(parseGoFloat("0x10"), null);
  assert.equal(parseGoFloat("-infinity"), Number.NEGATIVE_INFINITY);
});

test("toUniqueStringSlice handles strings, JSON array strings and arrays", () => {
  assert.deepEqual(toUniqueStringSlice(null), []);
  assert.deepEqual(toUniqueStringSlice(""), []);
  assert.deepEqual(toUniqueStringSlice("a"), ["a"]);
  assert.deepEqual(toUniqueStringSlice("a,b"), ["a,b"]);
  assert.deepEqual(toUniqueStringSlice('["a","b","a"]'), ["a", "b"]);
  assert.deepEqual(toUniqueStringSlice("[broken"), ["[broken"]);
  assert.deepEqual(toUniqueStringSlice("[1,2]"), ["[1,2]"]);
  assert.deepEqual(toUniqueStringSlice(["a", "", "b", "a"]), ["a", "b"]);
  assert.deepEqual(toUniqueStringSlice([1, true, null]), ["1", "true"]);
  assert.deepEqual(toUniqueStringSlice(["a", { x: 1 }]), []);
  assert.deepEqual(toUniqueStringSlice(123), ["123"]);
  assert.deepEqual(toUniqueStringSlice({ a: 1 }), []);
});

test("utf8Length and runeLength count bytes and code points", () => {
  assert.equal(utf8Length("aé😀"), 1 + 2 + 4);
  assert.equal(runeLength("aé😀"), 3);
});
