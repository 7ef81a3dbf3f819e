import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeCollection } from "./openapi-fixtures.test-helper.ts";
import { assignTypeNames, pascalCase, propertyKey } from "./names.ts";

describe("pascalCase", () => {
  it("joins underscore-separated words", () => {
    assert.equal(pascalCase("my_posts"), "MyPosts");
    assert.equal(pascalCase("posts"), "Posts");
    assert.equal(pascalCase("_superusers"), "Superusers");
    assert.equal(pascalCase("blogPosts"), "BlogPosts");
  });

  it("keeps a name that starts with a digit an identifier", () => {
    assert.equal(pascalCase("2fa_codes"), "_2faCodes");
  });

  it("falls back to a fixed name when nothing is left", () => {
    assert.equal(pascalCase("___"), "Collection");
  });
});

describe("assignTypeNames", () => {
  it("gives each collection its PascalCase name", () => {
    const a = makeCollection({ name: "blog_posts", id: "a1" });
    const b = makeCollection({ name: "users2", id: "b1" });
    assert.deepEqual(
      [...assignTypeNames([a, b])],
      [
        ["a1", "BlogPosts"],
        ["b1", "Users2"],
      ],
    );
  });

  it("disambiguates colliding names by id, whatever the order", () => {
    const a = makeCollection({ name: "my_posts", id: "aaa" });
    const b = makeCollection({ name: "myPosts", id: "bbb" });
    const c = makeCollection({ name: "other", id: "ccc" });
    const names = assignTypeNames([a, b, c]);
    assert.equal(names.get("aaa"), "MyPosts_aaa");
    assert.equal(names.get("bbb"), "MyPosts_bbb");
    assert.equal(names.get("ccc"), "Other");
    assert.deepEqual(new Map([...assignTypeNames([c, b, a])].sort()), new Map([...names].sort()));
  });
});

describe("propertyKey", () => {
  it("quotes names that are not identifiers", () => {
    assert.equal(propertyKey("title"), "title");
    assert.equal(propertyKey("_x1"), "_x1");
    assert.equal(propertyKey("1st"), '"1st"');
    assert.equal(propertyKey("a-b"), '"a-b"');
  });
});
