import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { JsonObject as Json } from "../support/json.ts";

let server: TestServer;
let su: string;
let counter = 0;

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
});
after(() => server.close());

async function createCollection(body: Json): Promise<Json> {
  const res = await server.request("POST", "/api/collections", {
    token: su,
    body: { type: "base", ...body },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function insert(collection: string, body: Json): Promise<Json> {
  const res = await server.request("POST", `/api/collections/${collection}/records`, { token: su, body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function records(collection: string, sort = ""): Promise<Json[]> {
  const query = sort ? `&sort=${sort}` : "";
  const res = await server.request("GET", `/api/collections/${collection}/records?perPage=500${query}`, {
    token: su,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function patch(collection: string, body: Json): Promise<Json> {
  const res = await server.request("PATCH", `/api/collections/${collection}`, { token: su, body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** A fresh collection name per test, so tests don't share tables. */
function fresh(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** The collection's fields with one changed by name. */
function changeField(c: Json, name: string, change: (f: Json) => Json | null): Json[] {
  return c.fields.flatMap((f: Json) => {
    if (f.name !== name) return [f];
    const next = change(f);
    return next === null ? [] : [next];
  });
}

test("adding a field gives old rows the zero value and keeps their data", async () => {
  const name = fresh("add");
  const c = await createCollection({ name, fields: [{ name: "title", type: "text" }] });
  const r = await insert(name, { title: "hello" });
  await patch(name, {
    fields: [
      ...c.fields,
      { name: "n", type: "number" },
      { name: "b", type: "bool" },
      { name: "s", type: "text" },
      { name: "tags", type: "select", values: ["a", "b"], maxSelect: 2 },
      { name: "j", type: "json" },
      { name: "d", type: "date" },
      { name: "g", type: "geoPoint" },
    ],
  });
  const [row] = await records(name);
  assert.equal(row?.id, r.id);
  assert.equal(row?.title, "hello");
  assert.equal(row?.n, 0);
  assert.equal(row?.b, false);
  assert.equal(row?.s, "");
  assert.deepEqual(row?.tags, []);
  assert.equal(row?.j, null);
  assert.equal(row?.d, "");
  assert.deepEqual(row?.g, { lon: 0, lat: 0 });
});

test("renaming a field moves its data with it", async () => {
  const name = fresh("ren");
  const c = await createCollection({
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "other", type: "number" },
    ],
  });
  await insert(name, { title: "kept", other: 7 });
  await patch(name, { fields: changeField(c, "title", (f) => ({ ...f, name: "heading" })) });
  const [row] = await records(name);
  assert.equal(row?.heading, "kept");
  assert.equal(row?.other, 7);
  assert.equal("title" in (row ?? {}), false);
});

test("swapping two field names keeps each value with its field id", async () => {
  const name = fresh("swap");
  const c = await createCollection({
    name,
    fields: [
      { name: "a", type: "text" },
      { name: "b", type: "text" },
    ],
  });
  await insert(name, { a: "first", b: "second" });
  const fields = c.fields.map((f: Json) =>
    f.name === "a" ? { ...f, name: "b" } : f.name === "b" ? { ...f, name: "a" } : f,
  );
  await patch(name, { fields });
  const [row] = await records(name);
  assert.equal(row?.b, "first");
  assert.equal(row?.a, "second");
});

test("retyping a field keeps its id: PocketBase's validation_field_type_change", async () => {
  const name = fresh("keepid");
  const c = await createCollection({ name, fields: [{ name: "v", type: "text" }] });
  const res = await server.request("PATCH", `/api/collections/${name}`, {
    token: su,
    body: { fields: changeField(c, "v", (f) => ({ id: f.id, name: "v", type: "number" })) },
  });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.data?.fields?.["1"]?.code, "validation_field_type_change");
});

// Plinth keeps data when a field is replaced by a new one of the same name (PocketBase would drop it):
test("retyping text to number converts numeric strings and zeroes the rest", async () => {
  const name = fresh("t2n");
  const c = await createCollection({
    name,
    fields: [
      { name: "v", type: "text" },
      { name: "k", type: "text" },
    ],
  });
  await insert(name, { v: "12", k: "a" });
  await insert(name, { v: "3.5", k: "b" });
  await insert(name, { v: "abc", k: "c" });
  await insert(name, { v: "", k: "d" });
  await patch(name, { fields: changeField(c, "v", () => ({ name: "v", type: "number" })) });
  const rows = await records(name, "k");
  assert.deepEqual(
    rows.map((r) => [r.k, r.v]),
    [
      ["a", 12],
      ["b", 3.5],
      ["c", 0],
      ["d", 0],
    ],
  );
});

test("retyping number to text keeps the digits", async () => {
  const name = fresh("n2t");
  const c = await createCollection({
    name,
    fields: [
      { name: "v", type: "number" },
      { name: "k", type: "text" },
    ],
  });
  await insert(name, { v: 42, k: "a" });
  await insert(name, { v: 1.25, k: "b" });
  await insert(name, { v: 0, k: "c" });
  await patch(name, { fields: changeField(c, "v", () => ({ name: "v", type: "text" })) });
  const rows = await records(name, "k");
  assert.deepEqual(
    rows.map((r) => r.v),
    ["42", "1.25", "0"],
  );
});

test("single to multi select wraps the value in an array, multi to single keeps the last", async () => {
  const name = fresh("sel");
  const c = await createCollection({
    name,
    fields: [
      { name: "s", type: "select", values: ["a", "b"], maxSelect: 1 },
      { name: "k", type: "text" },
    ],
  });
  await insert(name, { s: "b", k: "1" });
  await insert(name, { s: "", k: "2" });
  const multi = await patch(name, { fields: changeField(c, "s", (f) => ({ ...f, maxSelect: 2 })) });
  assert.deepEqual(
    (await records(name, "k")).map((r) => r.s),
    [["b"], []],
  );
  const [first] = await records(name, "k");
  const edited = await server.request("PATCH", `/api/collections/${name}/records/${first?.id}`, {
    token: su,
    body: { s: ["a", "b"] },
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  await patch(name, { fields: changeField(multi, "s", (f) => ({ ...f, maxSelect: 1 })) });
  assert.deepEqual(
    (await records(name, "k")).map((r) => r.s),
    ["b", ""],
  );
});

test("single to multi relation wraps the id in an array and expand still works", async () => {
  const target = fresh("tgt");
  const t = await createCollection({ name: target, fields: [{ name: "label", type: "text" }] });
  const a = await insert(target, { label: "A" });
  const name = fresh("rel");
  const c = await createCollection({
    name,
    fields: [{ name: "r", type: "relation", collectionId: t.id, maxSelect: 1 }],
  });
  await insert(name, { r: a.id });
  await patch(name, { fields: changeField(c, "r", (f) => ({ ...f, maxSelect: 5 })) });
  const res = await server.request("GET", `/api/collections/${name}/records?expand=r`, { token: su });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.items[0].r, [a.id]);
  assert.equal(res.body.items[0].expand.r[0].label, "A");
});

test("removing a field keeps every other field intact", async () => {
  const name = fresh("rm");
  const c = await createCollection({
    name,
    fields: [
      { name: "a", type: "text" },
      { name: "gone", type: "text" },
      { name: "n", type: "number" },
      { name: "j", type: "json" },
      { name: "created", type: "autodate", onCreate: true },
    ],
  });
  const before = await insert(name, { a: "x", gone: "bye", n: 3, j: { k: [1, 2] } });
  await patch(name, { fields: changeField(c, "gone", () => null) });
  const [row] = await records(name);
  const { gone: _gone, ...expected } = before;
  assert.deepEqual(row, expected);
});

test("renaming a collection keeps its records, and relations to it still resolve", async () => {
  const target = fresh("old");
  const t = await createCollection({
    name: target,
    fields: [{ name: "label", type: "text" }],
    listRule: "",
    viewRule: "",
  });
  const a = await insert(target, { label: "A" });
  const name = fresh("refs");
  await createCollection({
    name,
    fields: [{ name: "r", type: "relation", collectionId: t.id, maxSelect: 1 }],
  });
  const ref = await insert(name, { r: a.id });
  const renamed = fresh("new");
  const updated = await patch(target, { name: renamed });
  assert.equal(updated.id, t.id);
  assert.equal(updated.name, renamed);
  const rows = await records(renamed);
  assert.deepEqual(
    rows.map((r) => r.label),
    ["A"],
  );
  assert.equal(rows[0]?.collectionName, renamed);
  const old = await server.request("GET", `/api/collections/${target}/records`, { token: su });
  assert.equal(old.status, 404);
  const expanded = await server.request("GET", `/api/collections/${name}/records/${ref.id}?expand=r`, {
    token: su,
  });
  assert.equal(expanded.body.expand?.r?.label, "A");
  const filtered = await server.request(
    "GET",
    `/api/collections/${name}/records?filter=${encodeURIComponent('r.label = "A"')}`,
    { token: su },
  );
  assert.equal(filtered.body.totalItems, 1);
  await insert(name, { r: a.id });
});

test("renaming a collection also renames it in its indexes", async () => {
  const name = fresh("idx");
  await createCollection({
    name,
    fields: [{ name: "code", type: "text" }],
    indexes: [`CREATE UNIQUE INDEX idx_code_${name} ON ${name} (code)`],
  });
  await insert(name, { code: "x" });
  const renamed = fresh("idxnew");
  const updated = await patch(name, { name: renamed });
  assert.equal(updated.indexes.length, 1);
  assert.match(updated.indexes[0], new RegExp(renamed));
  const dup = await server.request("POST", `/api/collections/${renamed}/records`, {
    token: su,
    body: { code: "x" },
  });
  assert.equal(dup.status, 400, JSON.stringify(dup.body));
});

test("a unique index over duplicate values is rejected and leaves schema and data exactly as before", async () => {
  const name = fresh("uniq");
  const c = await createCollection({
    name,
    fields: [
      { name: "code", type: "text" },
      { name: "n", type: "number" },
    ],
  });
  await insert(name, { code: "same", n: 1 });
  await insert(name, { code: "same", n: 2 });
  const beforeRows = await records(name, "n");
  const res = await server.request("PATCH", `/api/collections/${name}`, {
    token: su,
    body: { indexes: [`CREATE UNIQUE INDEX idx_u_${name} ON ${name} (code)`] },
  });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.ok(res.body.data?.indexes, JSON.stringify(res.body));
  assert.doesNotMatch(JSON.stringify(res.body), /SQLITE|constraint failed/i);
  const after = await server.request("GET", `/api/collections/${name}`, { token: su });
  assert.deepEqual(after.body, c);
  assert.deepEqual(await records(name, "n"), beforeRows);
});

test("a failing change combined with field changes rolls the field changes back too", async () => {
  const name = fresh("combo");
  const c = await createCollection({
    name,
    fields: [
      { name: "code", type: "text" },
      { name: "n", type: "number" },
    ],
  });
  await insert(name, { code: "same", n: 1 });
  await insert(name, { code: "same", n: 2 });
  const beforeRows = await records(name, "n");
  const res = await server.request("PATCH", `/api/collections/${name}`, {
    token: su,
    body: {
      name: `${name}x`,
      fields: [
        ...changeField(c, "n", (f) => ({ id: f.id, name: "n2", type: "text" })),
        { name: "extra", type: "bool" },
      ],
      indexes: [`CREATE UNIQUE INDEX idx_u_${name} ON ${name} (code)`],
    },
  });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const after = await server.request("GET", `/api/collections/${name}`, { token: su });
  assert.deepEqual(after.body, c);
  assert.deepEqual(await records(name, "n"), beforeRows);
  const gone = await server.request("GET", `/api/collections/${name}x`, { token: su });
  assert.equal(gone.status, 404);
  await insert(name, { code: "same", n: 3 });
});

test("a unique index over distinct values is created and enforced", async () => {
  const name = fresh("uok");
  await createCollection({ name, fields: [{ name: "code", type: "text" }] });
  await insert(name, { code: "a" });
  await insert(name, { code: "b" });
  await patch(name, { indexes: [`CREATE UNIQUE INDEX idx_ok_${name} ON ${name} (code)`] });
  const dup = await server.request("POST", `/api/collections/${name}/records`, {
    token: su,
    body: { code: "a" },
  });
  assert.equal(dup.status, 400, JSON.stringify(dup.body));
  assert.ok(dup.body.data?.code, JSON.stringify(dup.body));
});

test("a case-only collection rename keeps the records", async () => {
  const name = fresh("case");
  await createCollection({ name, fields: [{ name: "a", type: "text" }] });
  await insert(name, { a: "kept" });
  const upper = name.toUpperCase();
  const updated = await patch(name, { name: upper });
  assert.equal(updated.name, upper);
  const rows = await records(upper);
  assert.deepEqual(
    rows.map((r) => [r.a, r.collectionName]),
    [["kept", upper]],
  );
});

test("reordering fields keeps the new order and every value", async () => {
  const name = fresh("order");
  const c = await createCollection({
    name,
    fields: [
      { name: "a", type: "text" },
      { name: "b", type: "number" },
    ],
  });
  await insert(name, { a: "x", b: 2 });
  const [id, a, b] = c.fields;
  const updated = await patch(name, { fields: [id, b, a] });
  assert.deepEqual(
    updated.fields.map((f: Json) => f.name),
    ["id", "b", "a"],
  );
  const [row] = await records(name);
  assert.deepEqual([row?.a, row?.b], ["x", 2]);
});
