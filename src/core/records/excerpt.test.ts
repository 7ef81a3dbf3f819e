import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeEntities, excerpt } from "./excerpt.ts";

test("strips tags and separates blocks with one space", () => {
  assert.equal(excerpt("<p>Hello <b>big</b> world</p><p>Second</p>", 100, false), "Hello big world Second");
  assert.equal(excerpt("<div>a</div><div>b</div>", 100, false), "a b");
  assert.equal(excerpt("line<br>next", 100, false), "linenext");
  assert.equal(excerpt("a<hr>b", 100, false), "a b");
});

test("drops scripts, styles, media and form controls", () => {
  const html = "<style>p{}</style><p>Keep<script>alert(1)</script> this<img src=x> <button>no</button></p>";
  assert.equal(excerpt(html, 100, false), "Keep this");
});

test("collapses ASCII whitespace and decodes entities", () => {
  assert.equal(excerpt("<p>  a \n\t b &amp; c&#33; &lt;d&gt;</p>", 100, false), "a b & c! <d>");
  assert.equal(decodeEntities("&nbsp;&#x41;&unknown;"), "\u00a0A&unknown;");
});

test("cuts to max characters and adds an ellipsis when asked", () => {
  assert.equal(excerpt("<p>Hello world</p>", 5, false), "Hello");
  assert.equal(excerpt("<p>Hello world</p>", 6, true), "Hello...");
  assert.equal(excerpt("<p>Hi</p>", 5, true), "Hi");
  assert.equal(excerpt("ééééé", 3, false), "ééé");
});

test("plain text and comments", () => {
  assert.equal(excerpt("just text <!-- hidden --> here", 100, false), "just text here");
  assert.equal(excerpt("a < b", 100, false), "a < b");
});

test("matches PocketBase's reference excerpt", () => {
  const html = ` <script>var a = 123;</script>   <p>Hello</p><div id="test_id">t   est<b>12
	3</b><span>456</span></div><span>word <b>7</b> 89<span>!<b>?</b><b> a </b><b>b </b>c</span>#<h1>title</h1>`;
  const plain = "Hello t est12 3456 word 7 89!? a b c# title";
  assert.equal(excerpt(html, 200, true), plain);
  assert.equal(excerpt(html, 2, true), "He...");
  assert.equal(excerpt("аб\nв ", 4, true), "аб в");
  assert.equal(excerpt("аб\nв ", 3, true), "аб...");
});
