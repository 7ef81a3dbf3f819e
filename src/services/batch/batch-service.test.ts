/**
 * The batch service over a real SQLite store. The records service is a small stand-in that writes
 * through the transaction's session, so these tests pin what batch itself owns: one transaction,
 * routing, per-request RequestInfo, error shape, timeout and publish-after-commit. The full stack
 * (real records service, rules, validation) is exercised by the API suite.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createSqliteStore } from "../../adapters/store/sqlite/index.ts";
import type { Collection } from "../../core/collections/collection.ts";
import { PlinthError, validationError } from "../../core/errors.ts";
import type { RecordEvent } from "../../core/events.ts";
import type { RecordRow, Store, StoreSession } from "../../core/ports.ts";
import { baseCollection, text } from "../../core/records/test-fixtures.ts";
import { guestRequest, type RequestInfo } from "../../core/request-info.ts";
import type { PendingEvents, RecordService } from "../records/index.ts";
import { journalEvents } from "../records/record-journal.ts";
import { defaultSettings, type Settings } from "../settings/index.ts";
import { createBatchService } from "./batch-service.ts";

const posts = baseCollection([text("title")], "posts");

/** Time that moves only when a test says so. */
function manualClock() {
  let now = Date.parse("2025-01-01T00:00:00Z");
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

interface Harness {
  readonly calls: { kind: string; request: RequestInfo }[];
  readonly published: RecordEvent[][];
  readonly records: RecordService;
  onWrite: () => void;
}

/** Stand-in for the records service: same signatures, writes through the session it is given. */
function standInRecords(): Harness {
  const harness: Harness = {
    calls: [],
    published: [],
    onWrite: () => {},
    records: undefined as unknown as RecordService,
  };
  const find = async (session: StoreSession, id: string) =>
    (await session.findRecords({ collection: posts, ids: [id], where: [], sort: [] }))[0];
  let next = 0;
  const stand = {
    async createIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      name: string,
      body: RecordRow,
    ) {
      harness.calls.push({ kind: "create", request });
      if (name !== posts.name) throw new PlinthError("not_found", "Missing collection context.");
      if (body["title"] === "")
        throw validationError({ title: { code: "validation_required", message: "Cannot be blank." } });
      const id = typeof body["id"] === "string" ? body["id"] : `generated${String(next++).padStart(6, "0")}`;
      await session.insertRecord(posts, { id, title: String(body["title"] ?? "") });
      harness.onWrite();
      const row = (await find(session, id))!;
      pending.push({ kind: "create", collection: posts, record: row });
      return { collection: posts as Collection, row };
    },
    async updateIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      _name: string,
      id: string,
      body: RecordRow,
    ) {
      harness.calls.push({ kind: "update", request });
      if ((await find(session, id)) === undefined)
        throw new PlinthError("not_found", "The requested resource wasn't found.");
      await session.updateRecord(posts, id, { title: String(body["title"] ?? "") });
      harness.onWrite();
      const row = (await find(session, id))!;
      pending.push({ kind: "update", collection: posts, record: row });
      return { collection: posts as Collection, row };
    },
    async deleteIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      _name: string,
      id: string,
    ) {
      harness.calls.push({ kind: "delete", request });
      const row = await find(session, id);
      if (row === undefined) throw new PlinthError("not_found", "The requested resource wasn't found.");
      await session.deleteRecord(posts, id);
      pending.push({ kind: "delete", collection: posts, record: row });
    },
    async present(
      _request: RequestInfo,
      _c: Collection,
      row: RecordRow,
      params: { expand?: string; fields?: string },
    ) {
      return { ...row, shapedWith: { ...params } };
    },
    publish(pending: PendingEvents) {
      harness.published.push([...pending]);
    },
    journal: (session: StoreSession, pending: PendingEvents) => journalEvents(session, pending, 0),
  };
  (harness as { records: RecordService }).records = stand as unknown as RecordService;
  return harness;
}

const user: RequestInfo = guestRequest({
  method: "POST",
  auth: { collectionId: "pbc_users", collectionName: "users", record: { id: "u1" } },
  headers: { authorization: "token", x_base: "base", x_shared: "base" },
});

const create = (title: string, url = "/api/collections/posts/records") => ({
  method: "POST",
  url,
  body: { title },
});

describe("batch service", () => {
  let store: Store;
  let settings: Settings;
  before(async () => {
    store = createSqliteStore({ path: ":memory:", synchronous: "NORMAL" });
    await store.init();
    await store.transaction(async (tx) => {
      await tx.saveCollection(posts);
      await tx.syncRecordTable(null, posts, [posts]);
    });
  });
  after(() => store.close());
  beforeEach(async () => {
    settings = defaultSettings();
    await store.truncate(posts);
  });

  function build(harness = standInRecords(), clock = manualClock()) {
    const batch = createBatchService({
      store,
      records: harness.records,
      settings: { current: async () => settings },
      clock,
    });
    return { batch, harness, clock };
  }
  const titles = async () =>
    (await store.findRecords({ collection: posts, where: [], sort: [] })).map((r) => r["title"]).sort();

  it("answers 403 when batch is disabled", async () => {
    settings = { ...settings, batch: { ...settings.batch, enabled: false } };
    await assert.rejects(build().batch.run(user, { requests: [create("a")] }), (err: unknown) => {
      assert.ok(err instanceof PlinthError);
      assert.equal(err.code, "forbidden");
      assert.equal(err.message, "Batch requests are not allowed.");
      return true;
    });
  });

  it("rejects more requests than settings.batch.maxRequests", async () => {
    settings = { ...settings, batch: { ...settings.batch, maxRequests: 1 } };
    await assert.rejects(
      build().batch.run(user, { requests: [create("a"), create("b")] }),
      (err: unknown) => {
        assert.ok(err instanceof PlinthError);
        assert.equal((err.fields["requests"] as { code: string }).code, "validation_length_too_long");
        return true;
      },
    );
    assert.deepEqual(await titles(), []);
  });

  it("returns 200 with the shaped record per write and 204 with null for a delete", async () => {
    await store.insertRecord(posts, { id: "existing0000001", title: "old" });
    const { batch, harness } = build();
    const results = await batch.run(user, {
      requests: [
        create("a", "/api/collections/posts/records?expand=author&fields=id,title"),
        { method: "PATCH", url: "/api/collections/posts/records/existing0000001", body: { title: "new" } },
        { method: "DELETE", url: "/api/collections/posts/records/existing0000001" },
      ],
    });
    assert.equal(results.length, 3);
    assert.deepEqual(results[0], {
      status: 200,
      body: { id: "generated000000", title: "a", shapedWith: { expand: "author", fields: "id,title" } },
    });
    assert.equal(results[1]!.status, 200);
    assert.equal((results[1]!.body as { title: string }).title, "new");
    assert.deepEqual(results[2], { status: 204, body: null });
    assert.deepEqual(await titles(), ["a"]);
    assert.deepEqual(
      harness.published.map((events) => events.map((e) => e.kind)),
      [["create", "update", "delete"]],
    );
  });

  it("runs each request with the batch's auth and the request's own method, query, headers and body", async () => {
    const { batch, harness } = build();
    await batch.run(user, {
      requests: [
        {
          method: "POST",
          url: "/api/collections/posts/records?a=1",
          headers: { Authorization: "other", "X-Shared": "entry" },
          body: { title: "t" },
        },
      ],
    });
    const seen = harness.calls[0]!.request;
    assert.equal(seen.auth, user.auth);
    assert.equal(seen.method, "POST");
    assert.equal(seen.context, "batch");
    assert.deepEqual(seen.query, { a: "1" });
    assert.deepEqual(seen.body, { title: "t" });
    assert.equal(seen.headers["authorization"], "token");
    assert.equal(seen.headers["x_shared"], "entry");
    assert.equal(seen.headers["x_base"], "base");
  });

  it("upserts: updates when the body's id exists, creates otherwise", async () => {
    await store.insertRecord(posts, { id: "existing0000001", title: "old" });
    const { batch, harness } = build();
    const results = await batch.run(user, {
      requests: [
        {
          method: "PUT",
          url: "/api/collections/posts/records",
          body: { id: "existing0000001", title: "upd" },
        },
        {
          method: "PUT",
          url: "/api/collections/posts/records",
          body: { id: "fresh0000000001", title: "new" },
        },
        { method: "PUT", url: "/api/collections/posts/records", body: { title: "noid" } },
      ],
    });
    assert.deepEqual(
      harness.calls.map((c) => [c.kind, c.request.method]),
      [
        ["update", "PATCH"],
        ["create", "POST"],
        ["create", "POST"],
      ],
    );
    assert.equal(results.length, 3);
    assert.deepEqual(await titles(), ["new", "noid", "upd"]);
  });

  it("rolls everything back and reports only the failed index in PocketBase's shape", async () => {
    const { batch, harness } = build();
    await assert.rejects(
      batch.run(user, { requests: [create("a"), create("b"), create("")] }),
      (err: unknown) => {
        assert.ok(err instanceof PlinthError);
        assert.equal(err.code, "invalid_input");
        assert.equal(err.message, "Batch transaction failed.");
        assert.deepEqual(err.fields, {
          requests: {
            "2": {
              code: "batch_request_failed",
              message: "Batch request failed.",
              response: {
                status: 400,
                message: "Failed to validate the submitted data.",
                data: { title: { code: "validation_required", message: "Cannot be blank." } },
              },
            },
          },
        });
        return true;
      },
    );
    assert.deepEqual(await titles(), []);
    assert.deepEqual(harness.published, []);
  });

  it("fails an unsupported action with a generic 400 for that request", async () => {
    await assert.rejects(
      build().batch.run(user, { requests: [create("a"), { method: "GET", url: "/api/health" }] }),
      (err: unknown) => {
        assert.ok(err instanceof PlinthError);
        assert.deepEqual((err.fields["requests"] as Record<string, { response: unknown }>)["1"]!.response, {
          status: 400,
          message: "Something went wrong while processing your request.",
          data: {},
        });
        return true;
      },
    );
    assert.deepEqual(await titles(), []);
  });

  it("embeds a 404 with its status", async () => {
    await assert.rejects(
      build().batch.run(user, {
        requests: [{ method: "DELETE", url: "/api/collections/posts/records/missing" }],
      }),
      (err: unknown) => {
        assert.ok(err instanceof PlinthError);
        const response = (
          err.fields["requests"] as unknown as Record<string, { response: { status: number } }>
        )["0"]!.response;
        assert.equal(response.status, 404);
        return true;
      },
    );
  });

  it("aborts and rolls back when the timeout passes, with empty data", async () => {
    settings = { ...settings, batch: { ...settings.batch, timeout: 1 } };
    const harness = standInRecords();
    const clock = manualClock();
    harness.onWrite = () => clock.advance(600);
    await assert.rejects(
      build(harness, clock).batch.run(user, { requests: [create("a"), create("b")] }),
      (err: unknown) => {
        assert.ok(err instanceof PlinthError);
        assert.equal(err.code, "invalid_input");
        assert.equal(err.message, "Batch transaction failed.");
        assert.deepEqual(err.fields, {});
        return true;
      },
    );
    assert.deepEqual(await titles(), []);
    assert.deepEqual(harness.published, []);
  });

  it("completes when the work fits in the timeout", async () => {
    settings = { ...settings, batch: { ...settings.batch, timeout: 2 } };
    const harness = standInRecords();
    const clock = manualClock();
    harness.onWrite = () => clock.advance(600);
    const results = await build(harness, clock).batch.run(user, { requests: [create("a"), create("b")] });
    assert.equal(results.length, 2);
    assert.deepEqual(await titles(), ["a", "b"]);
  });

  it("lets a programming error through (a 500, not an embedded 400) and still rolls back", async () => {
    const harness = standInRecords();
    harness.onWrite = () => {
      throw new TypeError("bug");
    };
    await assert.rejects(build(harness).batch.run(user, { requests: [create("a")] }), TypeError);
    assert.deepEqual(await titles(), []);
  });
});
