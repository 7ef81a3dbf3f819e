import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32Checksum } from "./crc32.ts";

test("matches the ids PocketBase derives for system collections and fields", () => {
  assert.equal(crc32Checksum("auth_superusers"), "3142635823");
  assert.equal(crc32Checksum("id"), "3208210256");
  assert.equal(crc32Checksum("tokenKey"), "2504183744");
});

test("hashes UTF-8 bytes", () => {
  assert.equal(crc32Checksum("é"), "235179326");
});
