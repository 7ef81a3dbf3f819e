import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli, spawnServer } from "../support/spawn-server.ts";
import type { Json } from "../support/json.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-kill9-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function json(url: string, init: RequestInit & { token?: string; body?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers["authorization"] = init.token;
  const res = await fetch(url, { ...init, headers });
  return { status: res.status, body: (await res.json().catch(() => null)) as Json };
}

test("every acknowledged write survives kill -9 of the server", async () => {
  await runCli(["superuser", "upsert", "admin@example.com", "password123", "--dir", dir]);
  let server = await spawnServer(dir);
  const login = await json(`${server.url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    body: JSON.stringify({ identity: "admin@example.com", password: "password123" }),
  });
  const token = login.body.token as string;
  const created = await json(`${server.url}/api/collections`, {
    method: "POST",
    token,
    body: JSON.stringify({
      name: "notes",
      type: "base",
      fields: [{ name: "n", type: "number" }],
      createRule: "",
      listRule: "",
    }),
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));

  // writes in flight, acknowledged ones remembered, then SIGKILL mid-stream
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop && i < 10_000; i++) {
      try {
        const res = await json(`${server.url}/api/collections/notes/records`, {
          method: "POST",
          body: JSON.stringify({ n: w * 100000 + i }),
        });
        if (res.status === 200) acknowledged.push(res.body.id);
      } catch {
        return; // the server is gone
      }
    }
  });
  while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 5));
  server.child.kill("SIGKILL");
  stop = true;
  await Promise.all(writers);
  await server.exited;

  server = await spawnServer(dir);
  try {
    const ids = new Set<string>();
    for (let page = 1; ; page++) {
      const res = await json(
        `${server.url}/api/collections/notes/records?perPage=1000&page=${page}&skipTotal=1`,
      );
      for (const item of res.body.items) ids.add(item.id);
      if (res.body.items.length < 1000) break;
    }
    const lost = acknowledged.filter((id) => !ids.has(id));
    assert.deepEqual(lost, []);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
});
