import assert from "node:assert/strict";
import { test } from "node:test";
import { goTimeString, toDateTimeString } from "./datetime.ts";

test("reads PocketBase's own layout", () => {
  assert.equal(toDateTimeString("2024-01-02 03:04:05.678Z"), "2024-01-02 03:04:05.678Z");
  assert.equal(toDateTimeString("2024-01-02 03:04:05Z"), "2024-01-02 03:04:05.000Z");
});

test("reads RFC 3339 with offsets and converts to UTC", () => {
  assert.equal(toDateTimeString("2024-01-02T03:04:05Z"), "2024-01-02 03:04:05.000Z");
  assert.equal(toDateTimeString("2024-01-02T03:04:05.123456789+02:00"), "2024-01-02 01:04:05.123Z");
  assert.equal(toDateTimeString("2024-01-02T23:30:00-01:00"), "2024-01-03 00:30:00.000Z");
  assert.equal(toDateTimeString("2024-01-02 03:04:05 -0700"), "2024-01-02 10:04:05.000Z");
});

test("reads date-only and zone-less layouts as UTC", () => {
  assert.equal(toDateTimeString("2024-02-29"), "2024-02-29 00:00:00.000Z");
  assert.equal(toDateTimeString("2024-01-02T03:04:05"), "2024-01-02 03:04:05.000Z");
  assert.equal(toDateTimeString("2024-01-02 03:04:05"), "2024-01-02 03:04:05.000Z");
});

test("reads RFC 1123 dates", () => {
  assert.equal(toDateTimeString("Tue, 02 Jan 2024 03:04:05 GMT"), "2024-01-02 03:04:05.000Z");
  assert.equal(toDateTimeString("02 Jan 2024"), "2024-01-02 00:00:00.000Z");
});

test("invalid dates, numbers and Go's zero time become empty", () => {
  assert.equal(toDateTimeString("2023-02-29"), "");
  assert.equal(toDateTimeString("2024-13-01"), "");
  assert.equal(toDateTimeString("yesterday"), "");
  assert.equal(toDateTimeString(1_700_000_000), "");
  assert.equal(toDateTimeString(null), "");
  assert.equal(toDateTimeString("0001-01-01 00:00:00.000Z"), "");
});

test("goTimeString renders the way Go prints a time", () => {
  assert.equal(goTimeString("2024-01-02 03:04:05.000Z"), "2024-01-02 03:04:05 +0000 UTC");
  assert.equal(goTimeString("2024-01-02 03:04:05.120Z"), "2024-01-02 03:04:05.12 +0000 UTC");
});
