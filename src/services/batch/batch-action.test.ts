import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchBatchAction } from "./batch-action.ts";

describe("matchBatchAction", () => {
  it("maps the four record writes", () => {
    assert.deepEqual(matchBatchAction("POST", "/api/collections/posts/records"), {
      kind: "create",
      collection: "posts",
      query: {},
    });
    assert.deepEqual(matchBatchAction("PUT", "/api/collections/posts/records?fields=id"), {
      kind: "upsert",
      collection: "posts",
      query: { fields: "id" },
    });
    assert.deepEqual(matchBatchAction("PATCH", "/api/collections/posts/records/abc?expand=author&expand=x"), {
      kind: "update",
      collection: "posts",
      id: "abc",
      query: { expand: "author" },
    });
    assert.deepEqual(matchBatchAction("DELETE", "/api/collections/posts/records/abc"), {
      kind: "delete",
      collection: "posts",
      id: "abc",
      query: {},
    });
  });

  it("decodes the query string", () => {
    const action = matchBatchAction("POST", "/api/collections/p/records?fields=*,id:excerpt(4,true)&x=a%20b");
    assert.deepEqual(action?.query, { fields: "*,id:excerpt(4,true)", x: "a b" });
  });

  it("rejects reads, other routes and mismatched methods", () => {
    for (const [method, url] of [
      ["GET", "/api/collections/posts/records"],
      ["GET", "/api/health"],
      ["POST", "/api/collections/posts/records/abc"],
      ["PATCH", "/api/collections/posts/records"],
      ["DELETE", "/api/collections/posts/records/"],
      ["POST", "/api/collections/posts/records/"],
      ["POST", "/api/collections/a/b/records"],
      ["PUT", "/api/collections/posts/records/abc"],
    ] as const) {
      assert.equal(matchBatchAction(method, url), null, `${method} ${url}`);
    }
  });
});
