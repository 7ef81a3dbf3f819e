import assert from "node:assert/strict";
import { test } from "node:test";
import { isEmailFormat, isUrlFormat, urlHost } from "./format-checks.ts";

test("accepts common email addresses", () => {
  for (const e of [
    "test@example.com",
    "a.b+c@sub.example.co",
    "x_y@example.org",
    '"quoted name"@example.com',
  ]) {
    assert.ok(isEmailFormat(e), e);
  }
});

test("rejects malformed email addresses", () => {
  for (const e of [
    "invalid",
    "a@b",
    "@example.com",
    "a@.com",
    "a..b@example.com",
    "a b@example.com",
    "a@example.c0m1",
  ]) {
    assert.ok(!isEmailFormat(e), e);
  }
});

test("accepts URLs with or without a scheme", () => {
  for (const u of [
    "https://example.com",
    "http://localhost:8090/api?x=1#y",
    "example.com/path",
    "ftp://user:pass@files.example.org",
    "http://127.0.0.1",
    "https://münchen.de",
  ]) {
    assert.ok(isUrlFormat(u), u);
  }
});

test("rejects what is not a URL", () => {
  for (const u of [
    "",
    "abc",
    "foo",
    "javascript:alert(1)",
    "http://exa mple.com",
    ".example.com",
    "https://",
  ]) {
    assert.ok(!isUrlFormat(u), u);
  }
});

test("urlHost keeps the port and drops user info, like Go's url.Parse", () => {
  assert.equal(urlHost("https://user@example.com:8080/x"), "example.com:8080");
  assert.equal(urlHost("example.com/x"), "");
  assert.equal(urlHost("http://example.com?q"), "example.com");
});
