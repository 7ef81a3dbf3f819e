import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { callOnFreshConnection as call } from "../support/fresh-connection.ts";
import { runCli, type ServerProcess, spawnServer } from "../support/spawn-server.ts";

const WORKERS = 4;
const CLIENTS = 16;
const PASSWORD = "password123";
const NEW_PASSWORD = "changed-password-456";

const dir = mkdtempSync(join(tmpdir(), "plinth-write-load-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tasks` with `CLIENTS` of them in flight at a time; collects every failure instead of stopping. */
async function runConcurrently(tasks: readonly (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

async function login(url: string, collection: string, identity: string, password: string) {
  return call(`${url}/api/collections/${collection}/auth-with-password`, {
    method: "POST",
    body: { identity, password },
  });
}

async function listIds(url: string, collection: string, token: string): Promise<Set<string>> {
  const res = await call(`${url}/api/collections/${collection}/records?perPage=1000&skipTotal=1&fields=id`, {
    token,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return new Set((res.body.items as { id: string }[]).map((r) => r.id));
}

describe(`plinth serve --workers ${WORKERS} under concurrent writes on one SQLite file`, () => {
  let server: ServerProcess;
  let superToken: string;

  before(async () => {
    await runCli(["superuser", "upsert", "admin@example.com", PASSWORD, "--dir", dir]);
    // made before the workers start, so every worker loads it at start-up
    const single = await spawnServer(dir);
    try {
      const su = await login(single.url, "_superusers", "admin@example.com", PASSWORD);
      assert.equal(su.status, 200, JSON.stringify(su.body));
      const created = await call(`${single.url}/api/collections`, {
        method: "POST",
        token: su.body.token as string,
        body: { name: "notes", type: "base", fields: [{ name: "n", type: "number" }], createRule: "" },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
    } finally {
      single.child.kill("SIGTERM");
      await single.exited;
    }
    server = await spawnServer(dir, ["--workers", String(WORKERS)]);
    await server.waitForOutput(new RegExp(`plinth: ${WORKERS} workers serving`));
    const su = await login(server.url, "_superusers", "admin@example.com", PASSWORD);
    assert.equal(su.status, 200, JSON.stringify(su.body));
    superToken = su.body.token as string;
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
  });

  test("sign-ups, password changes and creates all succeed and every acknowledged record is stored", {
    timeout: 180_000,
  }, async () => {
    const failures: string[] = [];
    const users = new Map<string, string>(); // id → email
    const notes = new Set<string>();
    const signUp = (i: number) => async () => {
      const email = `load${i}@example.com`;
      const res = await call(`${server.url}/api/collections/users/records`, {
        method: "POST",
        body: { email, password: PASSWORD, passwordConfirm: PASSWORD },
      });
      if (res.status === 200) users.set(res.body.id as string, email);
      else failures.push(`sign-up ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const createNote = (i: number) => async () => {
      const res = await call(`${server.url}/api/collections/notes/records`, {
        method: "POST",
        body: { n: i },
      });
      if (res.status === 200) notes.add(res.body.id as string);
      else failures.push(`note ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    };

    // Phase 1: sign-ups (argon2 hashing) interleaved with plain creates.
    const phase1: (() => Promise<void>)[] = [];
    for (let i = 0; i < 120; i++) phase1.push(signUp(i), createNote(i), createNote(1000 + i));
    await runConcurrently(phase1);
    assert.equal(failures.length, 0, failures.join("\n"));

    // Phase 2: password changes (argon2 verify + hash) interleaved with more creates.
    const changed = [...users].slice(0, 30);
    const changePassword = (id: string, email: string) => async () => {
      const auth = await login(server.url, "users", email, PASSWORD);
      if (auth.status !== 200) {
        failures.push(`login ${email}: ${auth.status} ${JSON.stringify(auth.body)}`);
        return;
      }
      const res = await call(`${server.url}/api/collections/users/records/${id}`, {
        method: "PATCH",
        token: auth.body.token as string,
        body: { oldPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD },
      });
      if (res.status !== 200)
        failures.push(`password change ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const phase2: (() => Promise<void>)[] = [];
    for (const [i, [id, email]] of changed.entries()) {
      phase2.push(changePassword(id, email), createNote(2000 + i), createNote(3000 + i));
    }
    await runConcurrently(phase2);
    assert.equal(failures.length, 0, failures.join("\n"));

    assert.equal(users.size, 120);
    assert.equal(notes.size, 300);
    assert.deepEqual(await listIds(server.url, "notes", superToken), notes);
    const storedUsers = await listIds(server.url, "users", superToken);
    for (const id of users.keys())
      assert.ok(storedUsers.has(id), `user ${id} was acknowledged but is missing`);

    // The hashes written under load are the right ones: new passwords work, the old ones no longer do.
    for (const [, email] of changed.slice(0, 5)) {
      assert.equal((await login(server.url, "users", email, NEW_PASSWORD)).status, 200);
      assert.equal((await login(server.url, "users", email, PASSWORD)).status, 400);
    }
    for (const [, email] of [...users].slice(changed.length, changed.length + 5)) {
      assert.equal((await login(server.url, "users", email, PASSWORD)).status, 200);
    }
    assert.doesNotMatch(server.output(), /database is (locked|busy)|SQLITE_BUSY|"status":5\d\d/i);
  });
});
