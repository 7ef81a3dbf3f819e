import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../errors.ts";
import { parseFilter } from "./parser.ts";

function errorOf(text: string, limits = {}): string {
  try {
    parseFilter(text, limits);
  } catch (err) {
    assert.ok(isPlinthError(err) && err.code === "invalid_input", `not invalid_input: ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

test("parses a comparison with positions", () => {
  assert.deepEqual(parseFilter("a = 'x'"), {
    kind: "comparison",
    op: "=",
    left: { kind: "identifier", name: "a", pos: 0 },
    right: { kind: "text", value: "x", pos: 4 },
    pos: 0,
  });
});

test("&& binds tighter than ||", () => {
  const ast = parseFilter("a=1 || b=2 && c=3");
  assert.equal(ast.kind, "or");
  assert.equal(ast.kind === "or" && ast.items[1]?.kind, "and");
});

test("parentheses group", () => {
  const ast = parseFilter("(a=1 || b=2) && c=3");
  assert.equal(ast.kind, "and");
});

test("every operator is recognized", () => {
  for (const op of [
    "=",
    "!=",
    "~",
    "!~",
    "<",
    "<=",
    ">",
    ">=",
    "?=",
    "?!=",
    "?~",
    "?!~",
    "?<",
    "?<=",
    "?>",
    "?>=",
  ]) {
    const ast = parseFilter(`a ${op} 1`);
    assert.equal(ast.kind === "comparison" && ast.op, op);
  }
});

test("identifiers with @, dots and modifiers", () => {
  for (const id of [
    "@request.auth.id",
    "@collection.posts:p.title",
    "tags:each",
    "a.b_c.d1:length",
    "_x",
    "#h",
  ]) {
    const ast = parseFilter(`${id} = 1`);
    assert.equal(ast.kind === "comparison" && ast.left.kind === "identifier" && ast.left.name, id);
  }
});

test("quoted text: both quotes, escaped quote, other backslashes kept", () => {
  const v = (s: string) => {
    const ast = parseFilter(`a = ${s}`);
    return ast.kind === "comparison" && ast.right.kind === "text" ? ast.right.value : undefined;
  };
  assert.equal(v(`"say \\"hi\\""`), 'say "hi"');
  assert.equal(v(`'it\\'s'`), "it's");
  assert.equal(v(`"a\\nb"`), "a\\nb");
  assert.equal(v(`"mixed 'quotes'"`), "mixed 'quotes'");
});

test("numbers: negative and decimal", () => {
  const ast = parseFilter("a > -1.5");
  assert.equal(ast.kind === "comparison" && ast.right.kind === "number" && ast.right.value, -1.5);
});

test("functions with nested calls, comments and a trailing comma", () => {
  const ast = parseFilter("geoDistance(a, // x\n b, 1, 2,) < 3");
  assert.equal(ast.kind === "comparison" && ast.left.kind === "function" && ast.left.args.length, 4);
  assert.ok(parseFilter("f(g(h(x))) = 1"));
});

test("line comments are ignored", () => {
  assert.ok(parseFilter("// first\na = 1 // second\n&& b = 2 //"));
});

test("errors name the 0-based position", () => {
  assert.equal(
    errorOf("a = "),
    "Invalid filter: expected right operand (identifier, function, text or number), got end of input at position 4.",
  );
  assert.match(errorOf("a = 1 b = 2"), /position 6\.$/);
  assert.match(errorOf("a =! 1"), /invalid operator "=!" at position 2/);
  assert.match(errorOf("a = 'x"), /unterminated quoted text at position 4/);
  assert.match(errorOf("a = 1 & b = 2"), /invalid join operator "&" at position 6/);
  assert.match(errorOf("a = 1 / 2"), /invalid comment .* at position 6/);
  assert.match(errorOf("a. = 1"), /invalid identifier "a\." at position 0/);
  assert.match(errorOf("a = 1)"), /unbalanced "\)" at position 5/);
  assert.match(errorOf("(a = 1"), /expected "\)", got end of input at position 6/);
  assert.match(errorOf("a = -"), /invalid number "-" at position 4/);
  assert.match(errorOf("a = 1."), /invalid number/);
  assert.match(errorOf("a = $"), /unexpected character "\$" at position 4/);
});

test("empty input, empty groups and lone operands are rejected", () => {
  for (const s of ["", "   ", "// only a comment", "()", "(())", "a", "a =", "= 1", "a = 1 &&", "&& a = 1"])
    errorOf(s);
});

test("functions nested deeper than 3 are rejected", () => {
  assert.match(errorOf("f(g(h(i(x)))) = 1"), /functions nested deeper than 3/);
});

test("length, depth and expression-count bounds", () => {
  assert.match(errorOf("a = 1".padEnd(3501, " ")), /longer than 3500/);
  assert.match(errorOf(`${"(".repeat(51)}a=1${")".repeat(51)}`), /nested deeper than 50 at position 50/);
  assert.ok(parseFilter(`${"(".repeat(50)}a=1${")".repeat(50)}`));
  const many = Array.from({ length: 201 }, () => "a=1").join("&&");
  assert.match(errorOf(many), /more than 200 expressions/);
});

test("10,000-deep parentheses are rejected quickly even with a huge length limit", () => {
  const deep = `${"(".repeat(10_000)}a=1${")".repeat(10_000)}`;
  assert.match(errorOf(deep, { maxLength: 1_000_000 }), /nested deeper than 50/);
});
