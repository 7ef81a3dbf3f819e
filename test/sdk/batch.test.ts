import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { assertErrorShape, rejection, superuserClient, userClient } from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;

/** One entry of a batch response. */
interface BatchResult {
  status: number;
  body: Record<string, unknown> | null;
}

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com");
  for (const name of ["tasks", "tasks_atomic", "tasks_rules"]) {
    await su.collections.create({
      name,
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: name === "tasks_rules" ? null : "",
      updateRule: "",
      deleteRule: "",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "done", type: "bool" },
        { name: "points", type: "number" },
      ],
    });
  }
});

after(() => server?.close());

describe("SDK: createBatch().send()", () => {
  test("create, update, upsert and delete return one result each, in order", async () => {
    const existing = await su.collection("tasks").create({ title: "old" });
    const doomed = await su.collection("tasks").create({ title: "doomed" });
    const b = alice.createBatch();
    b.collection("tasks").create({ id: "batchcreated001", title: "new" });
    b.collection("tasks").update(existing.id, { done: true });
    b.collection("tasks").upsert({ id: "batchupserted01", title: "upserted" });
    b.collection("tasks").delete(doomed.id);
    const results = (await b.send()) as BatchResult[];
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 204],
    );
    assert.equal(results[0]?.body?.["id"], "batchcreated001");
    assert.equal(results[1]?.body?.["done"], true);
    assert.equal(results[2]?.body?.["title"], "upserted");
    assert.equal(results[3]?.body, null);
  });

  test("every result body is the full record JSON", async () => {
    const b = alice.createBatch();
    b.collection("tasks").create({ title: "shape" });
    const [result] = (await b.send()) as BatchResult[];
    const body = result?.body ?? {};
    assert.match(String(body["id"]), /^[a-z0-9]{15}$/);
    assert.equal(body["collectionName"], "tasks");
    assert.equal(body["title"], "shape");
    assert.equal(body["done"], false);
    assert.equal(body["points"], 0);
  });

  test("the batch's writes are persisted", async () => {
    const b = alice.createBatch();
    b.collection("tasks").create({ id: "persisted000001", title: "kept" });
    b.collection("tasks").update("persisted000001", { "points+": 5 });
    await b.send();
    const rec = await su.collection("tasks").getOne("persisted000001");
    assert.equal(rec["points"], 5);
  });

  test("upsert of an existing id updates it", async () => {
    const rec = await su.collection("tasks").create({ title: "before", points: 1 });
    const b = alice.createBatch();
    b.collection("tasks").upsert({ id: rec.id, title: "after" });
    const [result] = (await b.send()) as BatchResult[];
    assert.equal(result?.status, 200);
    const again = await su.collection("tasks").getOne(rec.id);
    assert.equal(again["title"], "after");
    assert.equal(again["points"], 1);
  });

  test("upsert without an id creates a record", async () => {
    const b = alice.createBatch();
    b.collection("tasks").upsert({ title: "fresh upsert" });
    const [result] = (await b.send()) as BatchResult[];
    assert.equal(result?.status, 200);
    await su.collection("tasks").getOne(String(result?.body?.["id"]));
  });

  test("query options of a request (fields) apply to its result", async () => {
    const b = alice.createBatch();
    b.collection("tasks").create({ title: "picked" }, { fields: "title" });
    const [result] = (await b.send()) as BatchResult[];
    assert.deepEqual(result?.body, { title: "picked" });
  });

  test("requests span several collections", async () => {
    const b = su.createBatch();
    b.collection("tasks").create({ title: "in tasks" });
    b.collection("tasks_atomic").create({ title: "in atomic" });
    const results = (await b.send()) as BatchResult[];
    assert.equal(results[0]?.body?.["collectionName"], "tasks");
    assert.equal(results[1]?.body?.["collectionName"], "tasks_atomic");
  });
});

describe("SDK: batch is all-or-nothing", () => {
  test("a failing 3rd request rolls back the first two", async () => {
    const b = alice.createBatch();
    b.collection("tasks_atomic").create({ id: "atomicfirst0001", title: "one" });
    b.collection("tasks_atomic").create({ id: "atomicsecond001", title: "two" });
    b.collection("tasks_atomic").create({ points: 3 }); // title is required
    await rejection(b.send(), 400);
    const left = await su
      .collection("tasks_atomic")
      .getFullList({ filter: 'id = "atomicfirst0001" || id = "atomicsecond001"' });
    assert.equal(left.length, 0);
  });

  test('the error names the failed request under data.requests["2"]', async () => {
    const b = alice.createBatch();
    b.collection("tasks_atomic").create({ title: "one" });
    b.collection("tasks_atomic").create({ title: "two" });
    b.collection("tasks_atomic").create({ points: 3 });
    const err = await rejection(b.send(), 400);
    assertErrorShape(err);
    const requests = (err.response["data"] as { requests?: Record<string, Record<string, unknown>> })
      .requests;
    assert.ok(requests?.["2"], JSON.stringify(err.response));
    assert.equal(requests["0"], undefined);
    assert.equal(requests["2"]["code"], "batch_request_failed");
  });

  test("the failed request's own error body is nested under response", async () => {
    const b = alice.createBatch();
    b.collection("tasks_atomic").create({ title: "one" });
    b.collection("tasks_atomic").create({ title: "two" });
    b.collection("tasks_atomic").create({ points: 3 });
    const err = await rejection(b.send(), 400);
    const failed = (
      err.response["data"] as {
        requests: Record<
          string,
          { response?: { status?: number; data?: Record<string, { code?: string }> } }
        >;
      }
    ).requests["2"];
    assert.equal(failed?.response?.status, 400);
    assert.equal(failed?.response?.data?.["title"]?.code, "validation_required");
  });

  test("an update undone by a later failure keeps the old value", async () => {
    const rec = await su.collection("tasks_atomic").create({ title: "stable", points: 1 });
    const b = alice.createBatch();
    b.collection("tasks_atomic").update(rec.id, { points: 99 });
    b.collection("tasks_atomic").delete("missingrecord01"); // 404 inside the batch
    await rejection(b.send(), 400);
    const again = await su.collection("tasks_atomic").getOne(rec.id);
    assert.equal(again["points"], 1);
  });

  // PocketBase answers every failed batch with 400; the inner status sits in requests[i].response.
  test("a request refused by a rule fails the batch (400) with its own 403 inside", async () => {
    const b = alice.createBatch();
    b.collection("tasks").create({ title: "fine" });
    b.collection("tasks_rules").create({ title: "superusers only" });
    const err = await rejection(b.send(), 400);
    const requests = (
      err.response["data"] as { requests?: Record<string, { response?: { status?: number } }> }
    ).requests;
    assert.equal(requests?.["1"]?.response?.status, 403, JSON.stringify(err.response));
  });

  test("an empty batch is rejected with a 400", async () => {
    const err = await rejection(alice.createBatch().send(), 400);
    assertErrorShape(err);
  });
});
