import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../src/core/errors.ts";
import { contextFor, createFixtureDb, fixture, requestFor, runFilter } from "./fixture-db.ts";

const db = createFixtureDb();

for (const c of fixture.expressions) {
  const label = `${c.collection}: ${c.expr.replaceAll("\n", "\\n")}${c.auth ? ` (auth ${c.auth})` : ""}${c.allowHiddenFields ? " [rule]" : ""}`;
  test(label, () => {
    const ctx = contextFor(c.collection, requestFor(c.auth, c), c.allowHiddenFields ?? false);
    if (c.error) {
      assert.throws(
        () => runFilter(db, ctx, c.expr),
        (err: unknown) => isPlinthError(err) && err.code === c.error,
      );
      return;
    }
    const { ids, sql } = runFilter(db, ctx, c.expr);
    assert.deepEqual([...ids].sort(), c.expected, `${c.note}\n${sql}`);
  });
}
