import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli, spawnServer } from "../support/spawn-server.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "plinth-cli-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("a bad setting stops start-up with one line naming it", async () => {
  const res = await runCli(["serve", "--http", "nonsense", "--dir", tempDir()]);
  assert.equal(res.code, 1);
  assert.match(res.stderr.trim(), /^plinth: invalid setting --http: /);
  assert.equal(res.stderr.trim().split("\n").length, 1);
});

test("a bad PLINTH_ environment variable is named too", async () => {
  const res = await runCli(["serve", "--dir", tempDir()], { PLINTH_SYNCHRONOUS: "sometimes" });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /PLINTH_SYNCHRONOUS/);
});

test("first start without a superuser prints how to create one; SIGTERM exits 0", async () => {
  const server = await spawnServer(tempDir());
  assert.match(server.output(), /npx plinth superuser upsert EMAIL PASSWORD/);
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0);
});

test("superuser upsert and delete", async () => {
  const dir = tempDir();
  const created = await runCli(["superuser", "upsert", "admin@example.com", "password123", "--dir", dir]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created/);
  const updated = await runCli(["superuser", "upsert", "admin@example.com", "password456", "--dir", dir]);
  assert.match(updated.stdout, /updated/);
  const server = await spawnServer(dir);
  try {
    const res = await fetch(`${server.url}/api/collections/_superusers/auth-with-password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identity: "admin@example.com", password: "password456" }),
    });
    assert.equal(res.status, 200);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  const deleted = await runCli(["superuser", "delete", "admin@example.com", "--dir", dir]);
  assert.equal(deleted.code, 0);
  const missing = await runCli(["superuser", "delete", "admin@example.com", "--dir", dir]);
  assert.equal(missing.code, 1);
});

test("SIGTERM lets an in-flight request finish", async () => {
  const dir = tempDir();
  await runCli(["superuser", "upsert", "admin@example.com", "password123", "--dir", dir]);
  const server = await spawnServer(dir, ["--log-level", "debug"]);
  // the signal is sent once the server has logged the request's arrival, so it is in flight for sure
  const inFlight = fetch(`${server.url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity: "admin@example.com", password: "password123" }),
  });
  await server.waitForOutput(
    /"url":"\/api\/collections\/_superusers\/auth-with-password".*"request received"|"request received".*auth-with-password/,
  );
  server.child.kill("SIGTERM");
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.equal(await server.exited, 0);
});
