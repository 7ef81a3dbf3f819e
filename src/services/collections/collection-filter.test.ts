import assert from "node:assert/strict";
import { test } from "node:test";
import { createSystemCollections } from "../../core/collections/index.ts";
import { filterCollections, sortCollections } from "./collection-filter.ts";

const all = createSystemCollections({ randomSecret: () => "x".repeat(50), now: "2026-01-01 00:00:00.000Z" });

test("filters collections by name and type", () => {
  assert.deepEqual(
    filterCollections(all, 'name = "users"').map((c) => c.name),
    ["users"],
  );
  assert.deepEqual(
    filterCollections(all, 'type = "auth" && name ~ "super"').map((c) => c.name),
    ["_superusers"],
  );
  assert.equal(filterCollections(all, "system = false").length, 1);
});

test("rejects unknown fields and bad syntax with invalid_input", () => {
  assert.throws(() => filterCollections(all, "password = 1"), { code: "invalid_input" });
  assert.throws(() => filterCollections(all, "name = "), { code: "invalid_input" });
});

test("sorts by several keys", () => {
  const sorted = sortCollections([...all], "type,-system,name").map((c) => c.name);
  assert.deepEqual(sorted.slice(0, 2), ["_superusers", "users"]);
});
