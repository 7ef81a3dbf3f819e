import assert from "node:assert/strict";
import { test } from "node:test";
import { inferFormValue } from "./form-value.ts";

test("infers booleans and canonical numbers from form strings", () => {
  assert.equal(inferFormValue("true"), true);
  assert.equal(inferFormValue("false"), false);
  assert.equal(inferFormValue("12"), 12);
  assert.equal(inferFormValue("-1.5"), -1.5);
});

test("keeps non-canonical numbers and other text as strings", () => {
  for (const s of ["", "0.0", "007", "1e3", "Infinity", "1.", "TRUE", "abc", "1-2"]) {
    assert.equal(inferFormValue(s), s, s);
  }
});
