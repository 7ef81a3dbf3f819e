import assert from "node:assert/strict";
import { test } from "node:test";
import { PlinthError } from "../errors.ts";
import { parseFieldsParam, pickFields } from "./fields-picker.ts";

const record = {
  collectionId: "c1",
  collectionName: "posts",
  id: "p1",
  title: "Hello",
  body: "<p>Some <b>long</b> text here</p>",
  expand: {
    author: { id: "u1", name: "Ann", email: "a@x.com" },
    tags: [
      { id: "t1", name: "one", color: "red" },
      { id: "t2", name: "two", color: "blue" },
    ],
  },
};

test("parses paths and modifiers", () => {
  const parsed = parseFieldsParam(" id, title , body:excerpt(200, true),expand.author.name");
  assert.deepEqual([...parsed.keys()], ["id", "title", "body", "expand.author.name"]);
  assert.deepEqual(parsed.get("body"), { kind: "excerpt", max: 200, withEllipsis: true });
  assert.equal(parsed.get("id"), null);
});

test("keeps only the listed keys", () => {
  assert.deepEqual(pickFields(record, parseFieldsParam("id,title,missing")), { id: "p1", title: "Hello" });
});

test("picks nested paths in objects and arrays of objects", () => {
  assert.deepEqual(pickFields(record, parseFieldsParam("id,expand.author.name,expand.tags.name")), {
    id: "p1",
    expand: { author: { name: "Ann" }, tags: [{ name: "one" }, { name: "two" }] },
  });
});

test("* keeps every key at its level; explicit nested paths still narrow", () => {
  const picked = pickFields(record, parseFieldsParam("*,expand.author.id"));
  assert.deepEqual(Object.keys(picked), Object.keys(record));
  assert.deepEqual(picked.expand, { author: { id: "u1" } });
  assert.deepEqual(pickFields(record, parseFieldsParam("expand.tags.*")).expand.tags[0], {
    id: "t1",
    name: "one",
    color: "red",
  });
});

test("a whole key wins over a nested path to it", () => {
  assert.deepEqual(pickFields(record, parseFieldsParam("expand,expand.author.name")).expand, record.expand);
});

test("excerpt applies to strings only", () => {
  assert.deepEqual(pickFields(record, parseFieldsParam("body:excerpt(9,true),id:excerpt(1)")), {
    id: "p",
    body: "Some long...",
  });
  assert.deepEqual(pickFields({ n: 5 }, parseFieldsParam("n:excerpt(2)")), { n: 5 });
});

test("picks each item of a list and leaves the input unchanged", () => {
  const items = [record, { ...record, id: "p2" }];
  assert.deepEqual(pickFields(items, parseFieldsParam("id")), [{ id: "p1" }, { id: "p2" }]);
  assert.equal(record.title, "Hello");
});

test("an empty parameter keeps everything", () => {
  assert.deepEqual(pickFields(record, parseFieldsParam(" , ")), record);
});

test("rejects bad modifiers and unbalanced text", () => {
  for (const bad of [
    "a:unknown(1)",
    "a:excerpt",
    "a:excerpt(0)",
    "a:excerpt(1,2,3)",
    "a:excerpt(x)",
    "a:excerpt(1",
    "'a",
  ]) {
    assert.throws(
      () => parseFieldsParam(bad),
      (err: unknown) => err instanceof PlinthError && err.code === "invalid_input",
      bad,
    );
  }
});

test("wildcards with nested exceptions and modifiers match PocketBase's picker", () => {
  const data = {
    id: "123",
    title: "lorem",
    rel: { id: "456", title: "<p>rel_title</p>", sub: { id: "789", title: "sub" } },
  };
  assert.deepEqual(pickFields(data, parseFieldsParam("*:excerpt(2),rel.title:excerpt(3, true)")), {
    id: "12",
    title: "lo",
    rel: { title: "rel..." },
  });
  assert.deepEqual(pickFields(data, parseFieldsParam("id,rel.*,rel.sub.id")), {
    id: "123",
    rel: { id: "456", title: "<p>rel_title</p>", sub: { id: "789" } },
  });
  assert.deepEqual(pickFields(data, parseFieldsParam("*,rel.id")), {
    id: "123",
    title: "lorem",
    rel: { id: "456" },
  });
});
