import assert from "node:assert/strict";
import { test } from "node:test";
import { prepareValue } from "./prepare-value.ts";
import * as f from "./test-fixtures.ts";

test("text-like fields stringify numbers and booleans", () => {
  for (const field of [f.text("t"), f.email("e"), f.url("u"), f.editor("h"), f.password("p")]) {
    assert.equal(prepareValue(field, 12), "12");
    assert.equal(prepareValue(field, "x"), "x");
    assert.equal(prepareValue(field, false), "false");
    assert.equal(prepareValue(field, null), "");
    assert.equal(prepareValue(field, ["a"]), "");
  }
});

test("number parses form strings; invalid text is 0", () => {
  const n = f.num("n");
  assert.equal(prepareValue(n, "12.5"), 12.5);
  assert.equal(prepareValue(n, "abc"), 0);
  assert.equal(prepareValue(n, ""), 0);
  assert.equal(prepareValue(n, true), 1);
  assert.equal(prepareValue(n, 7), 7);
});

test("bool accepts Go's spellings only ('on' is false, as on PocketBase)", () => {
  const b = f.bool("b");
  assert.equal(prepareValue(b, "true"), true);
  assert.equal(prepareValue(b, "1"), true);
  assert.equal(prepareValue(b, "on"), false);
  assert.equal(prepareValue(b, 1), true);
  assert.equal(prepareValue(b, null), false);
});

test("date normalizes to the stored UTC layout or empty", () => {
  const d = f.date("d");
  assert.equal(prepareValue(d, "2024-05-06T07:08:09.5Z"), "2024-05-06 07:08:09.500Z");
  assert.equal(prepareValue(d, "nope"), "");
  assert.equal(prepareValue(d, ""), "");
});

test("single select keeps the last item; multi select the unique list", () => {
  const single = f.select("s");
  const multi = f.select("m", { maxSelect: 3 });
  assert.equal(prepareValue(single, ["a", "b"]), "b");
  assert.equal(prepareValue(single, '["a"]'), "a");
  assert.equal(prepareValue(single, 123), "123");
  assert.equal(prepareValue(single, null), "");
  assert.deepEqual(prepareValue(multi, "a"), ["a"]);
  assert.deepEqual(prepareValue(multi, ""), []);
  assert.deepEqual(prepareValue(multi, ["a", "b", "a", ""]), ["a", "b"]);
  assert.deepEqual(prepareValue(multi, '["a","c"]'), ["a", "c"]);
});

test("relation normalizes like select", () => {
  assert.equal(prepareValue(f.relation("r"), ["x1", "x2"]), "x2");
  assert.deepEqual(prepareValue(f.relation("r", { maxSelect: 5 }), "x1"), ["x1"]);
});

test("file keeps names; array items naming several files are dropped", () => {
  const multi = f.file("docs", { maxSelect: 5 });
  assert.deepEqual(prepareValue(multi, ["a.txt", "", '["b.txt"]', '["c","d"]', "a.txt"]), ["a.txt", "b.txt"]);
  assert.equal(prepareValue(f.file("one"), ["a.txt", "b.txt"]), "b.txt");
  assert.equal(prepareValue(f.file("one"), null), "");
});

test("json reads JSON-looking strings and keeps other text as a string", () => {
  const j = f.json("j");
  assert.equal(prepareValue(j, "null"), null);
  assert.equal(prepareValue(j, ""), "");
  assert.equal(prepareValue(j, "true"), true);
  assert.equal(prepareValue(j, "test"), "test");
  assert.equal(prepareValue(j, "123"), 123);
  assert.equal(prepareValue(j, "-456"), -456);
  assert.deepEqual(prepareValue(j, "[1,2,3]"), [1, 2, 3]);
  assert.equal(prepareValue(j, "[1,2,3"), "[1,2,3");
  assert.deepEqual(prepareValue(j, '{"a":1}'), { a: 1 });
  assert.equal(prepareValue(j, " {}"), " {}");
  assert.deepEqual(prepareValue(j, { a: [1] }), { a: [1] });
  assert.equal(prepareValue(j, undefined), null);
  assert.equal(prepareValue(j, false), false);
});

test("geoPoint reads objects and JSON text; other values are the origin", () => {
  const g = f.geo("g");
  assert.deepEqual(prepareValue(g, { lon: 1.5, lat: -2 }), { lon: 1.5, lat: -2 });
  assert.deepEqual(prepareValue(g, '{"lon":10,"lat":20}'), { lon: 10, lat: 20 });
  assert.deepEqual(prepareValue(g, { LON: 3, lat: "4" }), { lon: 3, lat: 0 });
  assert.deepEqual(prepareValue(g, "not json"), { lon: 0, lat: 0 });
  assert.deepEqual(prepareValue(g, [1, 2]), { lon: 0, lat: 0 });
  assert.deepEqual(prepareValue(g, null), { lon: 0, lat: 0 });
});
