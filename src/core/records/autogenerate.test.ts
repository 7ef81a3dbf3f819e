import assert from "node:assert/strict";
import { test } from "node:test";
import { PlinthError } from "../errors.ts";
import { generateFromPattern, parsePattern } from "./autogenerate.ts";

/** A seeded draw so runs are repeatable. */
function seeded(seed = 1): (alphabet: string) => string {
  let state = seed;
  return (alphabet) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return alphabet[state % alphabet.length] ?? "";
  };
}

const first = (alphabet: string) => alphabet[0] ?? "";
const last = (alphabet: string) => alphabet.at(-1) ?? "";

test("generates record ids of 15 lowercase alphanumerics", () => {
  const random = seeded(7);
  for (let i = 0; i < 50; i++) assert.match(generateFromPattern("[a-z0-9]{15}", random), /^[a-z0-9]{15}$/);
});

test("generates token keys of 50 alphanumerics", () => {
  assert.match(generateFromPattern("[a-zA-Z0-9]{50}", seeded(3)), /^[a-zA-Z0-9]{50}$/);
});

test("keeps literals and escapes", () => {
  assert.equal(generateFromPattern("abc-\\.x", first), "abc-.x");
  assert.equal(generateFromPattern("\\d\\d", first), "00");
  assert.equal(generateFromPattern("\\w", last), "z");
  assert.equal(generateFromPattern("\\x41\\x{42}", first), "AB");
});

test("draws repeat counts from [min, max) as PocketBase does", () => {
  assert.equal(generateFromPattern("a{2,4}", first), "aa");
  assert.equal(generateFromPattern("a{2,4}", last), "aaa");
  assert.equal(generateFromPattern("a?", last), "");
  assert.equal(generateFromPattern("a*", last), "aaaaa");
  assert.equal(generateFromPattern("a+", first), "a");
  assert.equal(generateFromPattern("a{3}", last), "aaa");
  assert.equal(generateFromPattern("a{0}", last), "");
  assert.equal(generateFromPattern("a{2,}", last), "aaaaa");
});

test("picks alternation options and groups", () => {
  assert.equal(generateFromPattern("(foo|bar)-(?:x|y)", first), "foo-x");
  assert.equal(generateFromPattern("(foo|bar)-(?P<n>x|y)", last), "bar-y");
});

test("supports negated, POSIX and escaped classes", () => {
  const out = generateFromPattern("[^a-zA-Z0-9]{20}", seeded(5));
  assert.match(out, /^[^a-zA-Z0-9]{20}$/);
  assert.equal(generateFromPattern("[[:digit:]]", first), "0");
  assert.equal(generateFromPattern("[\\d_]", last), "_");
  assert.equal(generateFromPattern("[-a]", first), "-");
  assert.equal(generateFromPattern("[]a]", first), "]");
  assert.equal(generateFromPattern(".", last), "9");
});

test("rejects what PocketBase cannot generate", () => {
  for (const p of [
    "",
    "^abc",
    "abc$",
    "a|",
    "(?i)abc",
    "\\bword",
    "\\pL",
    "[z-a]",
    "(abc",
    "*a",
    "[abc",
    "a{5,2}",
  ]) {
    assert.throws(
      () => parsePattern(p),
      (err: unknown) => err instanceof PlinthError && err.code === "invalid_input",
      p,
    );
  }
});

test("a brace that is not a repeat is a literal", () => {
  assert.equal(generateFromPattern("a{b}", first), "a{b}");
});
