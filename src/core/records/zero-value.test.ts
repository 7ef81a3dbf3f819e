import assert from "node:assert/strict";
import { test } from "node:test";
import * as f from "./test-fixtures.ts";
import { zeroRecord, zeroValue } from "./zero-value.ts";

test("zero values follow PocketBase's PrepareValue(nil)", () => {
  assert.equal(zeroValue(f.text("t")), "");
  assert.equal(zeroValue(f.num("n")), 0);
  assert.equal(zeroValue(f.bool("b")), false);
  assert.equal(zeroValue(f.select("s")), "");
  assert.deepEqual(zeroValue(f.select("s", { maxSelect: 2 })), []);
  assert.deepEqual(zeroValue(f.file("f", { maxSelect: 2 })), []);
  assert.equal(zeroValue(f.json("j")), null);
  assert.deepEqual(zeroValue(f.geo("g")), { lon: 0, lat: 0 });
  assert.equal(zeroValue(f.autodate("c")), "");
});

test("zeroRecord covers every field", () => {
  const c = f.baseCollection([f.text("title"), f.num("n")]);
  assert.deepEqual(zeroRecord(c.fields), { id: "", title: "", n: 0 });
});
