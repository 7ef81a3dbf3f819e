import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEFAULT_CONFIG } from "../config/index.ts";
import { TYPEGEN_HEADER } from "../services/openapi/index.ts";
import { runTypegen, type TypegenIo } from "./typegen-command.ts";

function captureIo(): TypegenIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe("runTypegen", () => {
  let root: string;
  let dataDir: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "plinth-typegen-"));
    dataDir = join(root, "data");
    await mkdir(dataDir);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes the collections' record types to --out and prints one line", async () => {
    const io = captureIo();
    const out = join(root, "types.ts");
    assert.equal(await runTypegen({ ...DEFAULT_CONFIG, dir: dataDir }, out, io), 0);
    const text = await readFile(out, "utf8");
    assert.ok(text.startsWith(TYPEGEN_HEADER));
    assert.match(text, /export interface UsersRecord \{/);
    assert.match(text, /export interface Collections \{/);
    assert.equal(io.lines.length, 1);
    assert.match(io.lines[0]!, /^Wrote types for \d+ collections to .*types\.ts$/);
    assert.deepEqual(io.errors, []);
  });

  it("refuses a data directory that does not exist instead of creating an empty one", async () => {
    const io = captureIo();
    const missing = join(root, "nope");
    assert.equal(await runTypegen({ ...DEFAULT_CONFIG, dir: missing }, join(root, "x.ts"), io), 1);
    assert.match(io.errors[0]!, /no data directory at .*nope/);
    assert.equal(existsSync(missing), false);
  });

  it("fails with a message when the file cannot be written", async () => {
    const io = captureIo();
    const out = join(root, "missing-dir", "types.ts");
    assert.equal(await runTypegen({ ...DEFAULT_CONFIG, dir: dataDir }, out, io), 1);
    assert.match(io.errors[0]!, /^cannot write .*types\.ts: /);
  });

  it("rejects --out without a file name", async () => {
    const io = captureIo();
    assert.equal(await runTypegen({ ...DEFAULT_CONFIG, dir: dataDir }, "--dir", io), 1);
    assert.match(io.errors[0]!, /--out needs a file name/);
  });
});
