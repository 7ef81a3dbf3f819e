import assert from "node:assert/strict";
import { test } from "node:test";
import type { Field } from "../collections/field.ts";
import { prepareValue } from "./prepare-value.ts";
import * as f from "./test-fixtures.ts";
import type { ValidateContext } from "./validate-record.ts";
import { relationIdsToCheck, validateRecord } from "./validate-record.ts";

const create: ValidateContext = { isNew: true };

/** The error code for one field given a raw (form or JSON) value, after preparation. */
function codeOf(field: Field, raw: unknown, ctx: ValidateContext = create): string | null {
  const c = f.baseCollection([field]);
  const errors = validateRecord(c, { id: "abcdefghij12345", [field.name]: prepareValue(field, raw) }, ctx);
  const e = errors[field.name];
  return e && "code" in e ? String(e.code) : null;
}

test("text: required, min/max length in characters, default max 5000, pattern", () => {
  assert.equal(codeOf(f.text("t", { required: true }), ""), "validation_required");
  assert.equal(codeOf(f.text("t"), ""), null);
  assert.equal(codeOf(f.text("t", { min: 3 }), "ab"), "validation_min_text_constraint");
  assert.equal(codeOf(f.text("t", { min: 3 }), "😀😀😀"), null);
  assert.equal(codeOf(f.text("t", { max: 2 }), "abc"), "validation_max_text_constraint");
  assert.equal(codeOf(f.text("t"), "x".repeat(5001)), "validation_max_text_constraint");
  assert.equal(codeOf(f.text("t", { pattern: "^\\d+$" }), "12a"), "validation_invalid_format");
  assert.equal(codeOf(f.text("t", { pattern: "^\\d+$" }), 123), null);
});

test("text messages carry PocketBase's wording", () => {
  const c = f.baseCollection([f.text("t", { min: 3 })]);
  assert.deepEqual(validateRecord(c, { id: "abcdefghij12345", t: "a" }, create)["t"], {
    code: "validation_min_text_constraint",
    message: "Must be at least 3 character(s).",
  });
});

test("id: required, 15 chars of [a-z0-9]", () => {
  const c = f.baseCollection([]);
  const idCode = (id: string) => {
    const e = validateRecord(c, { id }, create)["id"];
    return e && "code" in e ? e.code : null;
  };
  assert.equal(idCode(""), "validation_required");
  assert.equal(idCode("abc"), "validation_min_text_constraint");
  assert.equal(idCode("ABCDEFGHIJ12345"), "validation_invalid_format");
  assert.equal(idCode("abcdefghij123456"), "validation_max_text_constraint");
  assert.equal(idCode("abcdefghij12345"), null);
});

test("id: cannot change on update; a saved id is not re-validated", () => {
  const c = f.baseCollection([]);
  const current = { id: "OLD_IMPORTED_ID" };
  assert.equal(validateRecord(c, { id: "OLD_IMPORTED_ID" }, { isNew: false, current })["id"], undefined);
  const e = validateRecord(c, { id: "abcdefghij12345" }, { isNew: false, current })["id"];
  assert.ok(e && "code" in e && e.code === "validation_pk_change");
});

test("custom primary key patterns forbid path characters and reserved names", () => {
  const pk = f.text("id", { primaryKey: true, required: true, pattern: "^.+$" });
  const c = { ...f.baseCollection([]), fields: [pk] };
  const code = (id: string) => {
    const e = validateRecord(c, { id }, create)["id"];
    return e && "code" in e ? e.code : null;
  };
  assert.equal(code("a/b"), "validation_forbidden_pk_character");
  assert.equal(code("con"), "validation_reserved_pk");
  assert.equal(code("console"), null);
});

test("number: zero passes unless required; onlyInt, min, max; non-finite", () => {
  assert.equal(codeOf(f.num("n", { required: true }), "0"), "validation_required");
  assert.equal(codeOf(f.num("n", { required: true }), "abc"), "validation_required");
  assert.equal(codeOf(f.num("n", { min: 5 }), 0), null);
  assert.equal(codeOf(f.num("n", { min: 5 }), "4"), "validation_min_number_constraint");
  assert.equal(codeOf(f.num("n", { max: 5 }), "6"), "validation_max_number_constraint");
  assert.equal(codeOf(f.num("n", { onlyInt: true }), "1.5"), "validation_only_int_constraint");
  assert.equal(codeOf(f.num("n", { onlyInt: true }), "2"), null);
  assert.equal(codeOf(f.num("n"), "Inf"), "validation_not_a_number");
  assert.equal(codeOf(f.num("n"), "NaN"), "validation_not_a_number");
});

test("bool: required means true", () => {
  assert.equal(codeOf(f.bool("b", { required: true }), "false"), "validation_required");
  assert.equal(codeOf(f.bool("b", { required: true }), "true"), null);
  assert.equal(codeOf(f.bool("b"), "false"), null);
});

test("email: format and domain lists", () => {
  assert.equal(codeOf(f.email("e"), "invalid"), "validation_is_email");
  assert.equal(codeOf(f.email("e"), ""), null);
  assert.equal(codeOf(f.email("e", { required: true }), ""), "validation_required");
  assert.equal(
    codeOf(f.email("e", { onlyDomains: ["example.org"] }), "a@example.com"),
    "validation_email_domain_not_allowed",
  );
  assert.equal(codeOf(f.email("e", { onlyDomains: ["example.com"] }), "a@example.com"), null);
  assert.equal(
    codeOf(f.email("e", { exceptDomains: ["example.com"] }), "a@example.com"),
    "validation_email_domain_not_allowed",
  );
});

test("url: format and host lists", () => {
  assert.equal(codeOf(f.url("u"), "nope"), "validation_invalid_url");
  assert.equal(codeOf(f.url("u"), "https://example.com"), null);
  assert.equal(
    codeOf(f.url("u", { onlyDomains: ["example.org"] }), "https://example.com"),
    "validation_url_domain_not_allowed",
  );
  assert.equal(
    codeOf(f.url("u", { exceptDomains: ["example.com"] }), "https://example.com/x"),
    "validation_url_domain_not_allowed",
  );
});

test("editor: required and byte size (default 5 MiB)", () => {
  assert.equal(codeOf(f.editor("h", { required: true }), ""), "validation_required");
  assert.equal(codeOf(f.editor("h", { maxSize: 4 }), "<p>é</p>"), "validation_content_size_limit");
  assert.equal(codeOf(f.editor("h"), "x".repeat(5 << 20)), null);
});

test("date: required, min and max", () => {
  assert.equal(codeOf(f.date("d", { required: true }), "garbage"), "validation_required");
  const ranged = f.date("d", { min: "2024-01-01 00:00:00.000Z", max: "2024-12-31 00:00:00.000Z" });
  assert.equal(codeOf(ranged, "2023-12-31"), "validation_min_greater_equal_than_required");
  assert.equal(codeOf(ranged, "2025-01-01"), "validation_max_less_equal_than_required");
  assert.equal(codeOf(ranged, "2024-06-01T10:00:00Z"), null);
  const c = f.baseCollection([ranged]);
  const e = validateRecord(c, { id: "abcdefghij12345", d: "2023-01-01 00:00:00.000Z" }, create)["d"];
  assert.deepEqual(e, {
    code: "validation_min_greater_equal_than_required",
    message: "Must be no less than 2024-01-01 00:00:00 +0000 UTC.",
  });
});

test("select: values and maxSelect", () => {
  assert.equal(codeOf(f.select("s"), "z"), "validation_invalid_value");
  assert.equal(codeOf(f.select("s", { required: true }), ""), "validation_required");
  assert.equal(codeOf(f.select("s", { maxSelect: 2 }), ["a", "b", "c"]), "validation_too_many_values");
  assert.equal(codeOf(f.select("s", { maxSelect: 2 }), '["a","b"]'), null);
});

test("relation: minSelect, maxSelect, required", () => {
  assert.equal(codeOf(f.relation("r", { required: true }), []), "validation_required");
  assert.equal(
    codeOf(f.relation("r", { maxSelect: 5, minSelect: 2 }), ["x"]),
    "validation_not_enough_values",
  );
  assert.equal(codeOf(f.relation("r", { maxSelect: 2 }), ["x", "y", "z"]), "validation_too_many_values");
  assert.equal(codeOf(f.relation("r", { maxSelect: 2 }), ["x", "y"]), null);
});

test("relationIdsToCheck lists non-empty relation fields without errors", () => {
  const c = f.baseCollection([
    f.relation("a"),
    f.relation("b", { maxSelect: 3, collectionId: "pbc_b" }),
    f.relation("c"),
  ]);
  const values = { id: "x", a: "r1", b: ["r2", "r3"], c: "" };
  assert.deepEqual(relationIdsToCheck(c, values), [
    { field: "a", collectionId: "pbc_target", ids: ["r1"] },
    { field: "b", collectionId: "pbc_b", ids: ["r2", "r3"] },
  ]);
  assert.deepEqual(
    relationIdsToCheck(c, values, { a: { code: "x", message: "y" } }).map((r) => r.field),
    ["b"],
  );
});

test("json: required treats null, '', [], {} as blank; maxSize in bytes (default 1 MiB)", () => {
  const req = f.json("j", { required: true });
  for (const blank of ["null", "", "[]", "{}", null])
    assert.equal(codeOf(req, blank), "validation_required", String(blank));
  assert.equal(codeOf(req, "0"), null);
  assert.equal(codeOf(f.json("j", { maxSize: 5 }), '{"a":1}'), "validation_json_size_limit");
  assert.equal(codeOf(f.json("j"), "x".repeat((1 << 20) + 1)), "validation_json_size_limit");
});

test("file: unknown names are rejected, saved and uploaded ones pass; maxSelect", () => {
  const docs = f.file("docs", { maxSelect: 2 });
  assert.equal(codeOf(docs, ["evil.txt"]), "validation_invalid_file");
  const current = { id: "abcdefghij12345", docs: ["a.txt", "b.txt"] };
  assert.equal(codeOf(docs, ["b.txt"], { isNew: false, current }), null);
  assert.equal(
    codeOf(docs, ["a.txt", "new.txt"], { isNew: false, current, newFileNames: ["new.txt"] }),
    null,
  );
  assert.equal(
    codeOf(docs, ["a.txt", "b.txt", "c.txt"], { isNew: false, current, newFileNames: ["c.txt"] }),
    "validation_too_many_files",
  );
  assert.equal(codeOf(f.file("one", { required: true }), null), "validation_required");
});

test("password: required on the stored hash; plain length and pattern", () => {
  const c = f.baseCollection([f.password("p", { required: true, min: 8, pattern: "\\d" })]);
  const id = "abcdefghij12345";
  const code = (stored: string, plain?: string) => {
    const ctx: ValidateContext = plain === undefined ? create : { isNew: true, plainPasswords: { p: plain } };
    const e = validateRecord(c, { id, p: stored }, ctx)["p"];
    return e && "code" in e ? e.code : null;
  };
  assert.equal(code(""), "validation_required");
  assert.equal(code("$argon2id$..."), null);
  assert.equal(code("", "short1"), "validation_min_text_constraint");
  assert.equal(code("", "longenough"), "validation_invalid_format");
  assert.equal(code("", "longenough1"), null);
  assert.equal(code("", "x1".repeat(36)), "validation_max_text_constraint");
});

test("geoPoint: origin is blank; latitude and longitude ranges", () => {
  assert.equal(codeOf(f.geo("g", { required: true }), { lon: 0, lat: 0 }), "validation_required");
  assert.equal(codeOf(f.geo("g"), { lon: 0, lat: 91 }), "validation_invalid_latitude");
  assert.equal(codeOf(f.geo("g"), { lon: -181, lat: 0 }), "validation_invalid_longitude");
  assert.equal(codeOf(f.geo("g"), '{"lon":10,"lat":20}'), null);
});

test("autodate fields are never invalid", () => {
  assert.equal(codeOf(f.autodate("created"), "whatever"), null);
});
