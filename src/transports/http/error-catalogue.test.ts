import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ERROR_CODES } from "../../core/errors.ts";
import { DEFAULT_MESSAGES, ERROR_STATUS } from "./error-reply.ts";

/** Rows of the "Codes" table in docs/errors.md: `| \`code\` | status | message | when |`. */
function documentedCodes(): Map<string, { status: number; message: string }> {
  const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");
  const rows = new Map<string, { status: number; message: string }>();
  for (const line of doc.split("\n")) {
    const match = /^\| `([a-z_]+)` \| (\d{3}) \| ([^|]+) \|/.exec(line);
    if (match) rows.set(match[1]!, { status: Number(match[2]), message: match[3]!.trim() });
  }
  return rows;
}

test("the ERROR_CODES union, the status table and docs/errors.md list the same codes", () => {
  const union = [...ERROR_CODES].sort();
  assert.deepEqual(Object.keys(ERROR_STATUS).sort(), union);
  assert.deepEqual(Object.keys(DEFAULT_MESSAGES).sort(), union);
  assert.deepEqual([...documentedCodes().keys()].sort(), union);
});

test("docs/errors.md gives each code the status and default message the code uses", () => {
  for (const [code, row] of documentedCodes()) {
    const key = code as keyof typeof ERROR_STATUS;
    assert.equal(row.status, ERROR_STATUS[key], `status of ${code}`);
    assert.equal(row.message, DEFAULT_MESSAGES[key], `message of ${code}`);
  }
});
