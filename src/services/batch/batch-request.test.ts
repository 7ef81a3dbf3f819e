import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PlinthError } from "../../core/errors.ts";
import { parseBatchRequests } from "./batch-request.ts";

const fails = (code: string, message: string, fields?: unknown) => (err: unknown) => {
  assert.ok(err instanceof PlinthError);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  if (fields !== undefined) assert.deepEqual(err.fields, fields);
  return true;
};

describe("parseBatchRequests", () => {
  it("reads method, url, headers and body", () => {
    const [entry] = parseBatchRequests(
      {
        requests: [
          { method: "POST", url: "/api/collections/a/records", headers: { "X-A": "1" }, body: { t: 1 } },
        ],
      },
      5,
    );
    assert.deepEqual(entry, {
      method: "POST",
      url: "/api/collections/a/records",
      headers: { "X-A": "1" },
      body: { t: 1 },
    });
  });

  it("rejects a body it cannot read with PocketBase's message", () => {
    for (const body of [
      null,
      [],
      { requests: {} },
      { requests: [1] },
      { requests: [{ method: 1 }] },
      { requests: [{ headers: { a: 1 } }] },
      { requests: [{ body: [] }] },
    ]) {
      assert.throws(
        () => parseBatchRequests(body, 5),
        fails("invalid_input", "Failed to read the submitted batch data."),
      );
    }
  });

  it("requires at least one request", () => {
    assert.throws(
      () => parseBatchRequests({ requests: [] }, 5),
      fails("validation_failed", "Invalid batch request data.", {
        requests: { code: "validation_required", message: "Cannot be blank." },
      }),
    );
  });

  it("rejects more than maxRequests with validation_length_too_long", () => {
    const entry = { method: "GET", url: "/x" };
    assert.throws(
      () => parseBatchRequests({ requests: [entry, entry, entry] }, 2),
      fails("validation_failed", "Invalid batch request data.", {
        requests: {
          code: "validation_length_too_long",
          message: "The length must be no more than 2.",
          params: { min: 0, max: 2 },
        },
      }),
    );
  });

  it("reports each invalid entry by index, leaving valid ones out", () => {
    const body = {
      requests: [
        {},
        { method: "GET", url: "/valid" },
        { method: "invalid", url: "/valid" },
        { method: "POST", url: "a".repeat(2001) },
      ],
    };
    assert.throws(
      () => parseBatchRequests(body, 100),
      fails("validation_failed", "Invalid batch request data.", {
        requests: {
          "0": {
            method: { code: "validation_required", message: "Cannot be blank." },
            url: { code: "validation_required", message: "Cannot be blank." },
          },
          "2": { method: { code: "validation_in_invalid", message: "Must be a valid value." } },
          "3": {
            url: {
              code: "validation_length_too_long",
              message: "The length must be no more than 2000.",
              params: { min: 0, max: 2000 },
            },
          },
        },
      }),
    );
  });

  it("moves uploaded files into the request they are addressed to", () => {
    const requests = parseBatchRequests(
      {
        requests: [
          { method: "POST", url: "/api/collections/a/records", body: { title: "x" } },
          { method: "POST", url: "/api/collections/a/records" },
        ],
      },
      5,
      {
        "requests.0.files": ["f1"],
        "requests[0].files": ["f2"],
        "requests.1.avatar": ["f3"],
        "requests.10.x": ["no"],
      },
    );
    assert.deepEqual(requests[0]!.body, { title: "x", files: ["f1", "f2"] });
    assert.deepEqual(requests[1]!.body, { avatar: ["f3"] });
  });
});
