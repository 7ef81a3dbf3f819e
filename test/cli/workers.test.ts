import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { callOnFreshConnection as call } from "../support/fresh-connection.ts";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import { runCli, type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "plinth-workers-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The live child processes of `pid`, read from /proc (the workers of a cluster primary). */
function childPids(pid: number): Set<number> {
  const children = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(ppid) === pid && state !== "Z") children.add(Number(entry));
  }
  return children;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids in the per-request log lines (pino's `pid`) whose method and URL match. */
function servingPids(output: string, method: string, url: string | RegExp): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split("\n")) {
    let entry: { msg?: string; method?: string; url?: string; pid?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a plain line, or the unfinished last one
    }
    if (entry.msg !== "request" || entry.method !== method || entry.url === undefined) continue;
    if (typeof url === "string" ? entry.url === url : url.test(entry.url)) pids.add(entry.pid!);
  }
  return pids;
}

function countOf(output: string, pattern: RegExp): number {
  return output.match(new RegExp(pattern.source, "g"))?.length ?? 0;
}

/** Resolves once `check(output)` holds (re-checked on each chunk of output); rejects if the server exits first. */
function outputUntil(server: ServerProcess, check: (output: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const streams = [server.child.stdout!, server.child.stderr!];
    const done = (err?: Error) => {
      for (const s of streams) s.off("data", onData);
      server.child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      if (check(server.output())) done();
    };
    const onExit = () => done(new Error(`server exited first:\n${server.output()}`));
    for (const s of streams) s.on("data", onData);
    server.child.on("exit", onExit);
    onData();
  });
}

/** Waits until the server has logged a request to each of `urls` (the log line follows the response). */
function loggedAll(server: ServerProcess, urls: readonly string[]): Promise<void> {
  return outputUntil(server, (out) => urls.every((url) => out.includes(`"url":"${url}"`)));
}

async function login(url: string): Promise<string> {
  const res = await call(`${url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    body: { identity: "admin@example.com", password: "password123" },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.token as string;
}

describe("plinth serve --workers 2", () => {
  const dir = tempDir();
  let server: ServerProcess;
  let token: string;

  before(async () => {
    await runCli(["superuser", "upsert", "admin@example.com", "password123", "--dir", dir]);
    // The collection is made before the workers start: each worker loads the schema at start-up,
    // and a schema change made on one worker reaches the others only through the bus relay.
    const single = await spawnServer(dir);
    try {
      const created = await call(`${single.url}/api/collections`, {
        method: "POST",
        token: await login(single.url),
        body: {
          name: "notes",
          type: "base",
          fields: [{ name: "n", type: "number" }],
          listRule: "",
          viewRule: "",
          createRule: "",
        },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
    } finally {
      single.child.kill("SIGTERM");
      await single.exited;
    }
    server = await spawnServer(dir, ["--workers", "2"]);
    await server.waitForOutput(/plinth: 2 workers serving http:\/\/127\.0\.0\.1:\d+\n/);
    token = await login(server.url);
  });

  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
  });

  test("prints one start line and no superuser hint when a superuser exists", () => {
    assert.equal(countOf(server.output(), /workers serving/), 1);
    assert.doesNotMatch(server.output(), /No superuser yet/);
  });

  test("answers health through two worker processes", async () => {
    const workers = childPids(server.child.pid!);
    assert.equal(workers.size, 2);
    const urls = Array.from({ length: 10 }, () => `/api/health?probe=${randomUUID()}`);
    for (const url of urls) assert.equal((await call(`${server.url}${url}`)).status, 200);
    await loggedAll(server, urls);
    const pids = new Set(urls.flatMap((url) => [...servingPids(server.output(), "GET", url)]));
    assert.deepEqual(pids, workers);
  });

  test("a record created on one worker is read on the other", async () => {
    const created = await call(`${server.url}/api/collections/notes/records`, {
      method: "POST",
      body: { n: 42 },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    const urls = Array.from({ length: 4 }, (_, i) => `/api/collections/notes/records/${id}?probe=${i}`);
    for (const url of urls) {
      const read = await call(`${server.url}${url}`);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal(read.body.n, 42);
    }
    await loggedAll(server, urls);
    const readers = new Set(urls.flatMap((url) => [...servingPids(server.output(), "GET", url)]));
    assert.equal(readers.size, 2, "the reads were served by both workers");
  });

  test("200 concurrent creates across workers all succeed, with no lock errors", async () => {
    const total = 200;
    const statuses: number[] = [];
    let next = 0;
    const created = /"method":"POST","url":"\/api\/collections\/notes\/records"/;
    const before = countOf(server.output(), created);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < total) {
          const n = 1000 + next++;
          const res = await call(`${server.url}/api/collections/notes/records`, {
            method: "POST",
            body: { n },
          });
          statuses.push(res.status);
          if (res.status !== 200) assert.fail(`create ${n}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    assert.equal(statuses.length, total);
    const filter = encodeURIComponent("n >= 1000");
    const list = await call(`${server.url}/api/collections/notes/records?filter=${filter}&perPage=1`, {
      token,
    });
    assert.equal(list.body.totalItems, total);
    await outputUntil(server, (out) => countOf(out, created) - before === total);
    assert.equal(servingPids(server.output(), "POST", "/api/collections/notes/records").size, 2);
    assert.doesNotMatch(server.output(), /database is locked|SQLITE_BUSY|"status":5\d\d/i);
  });

  test("a worker killed with SIGKILL is replaced and the server keeps answering", async () => {
    const workers = childPids(server.child.pid!);
    const [victim] = workers;
    process.kill(victim!, "SIGKILL");
    await server.waitForOutput(new RegExp(`worker ${victim} exited \\(SIGKILL\\); starting a replacement`));
    // two serving lines at start, one more from the replacement
    await outputUntil(server, (out) => countOf(out, /Plinth is serving on/) === 3);
    const now = childPids(server.child.pid!);
    assert.equal(now.size, 2);
    assert.equal(now.has(victim!), false);
    const urls = Array.from({ length: 6 }, () => `/api/health?probe=${randomUUID()}`);
    for (const url of urls) assert.equal((await call(`${server.url}${url}`)).status, 200);
    await loggedAll(server, urls);
    const pids = new Set(urls.flatMap((url) => [...servingPids(server.output(), "GET", url)]));
    assert.deepEqual(pids, now);
  });

  test("a collection created on one worker is usable on the others at once", async () => {
    const created = await call(`${server.url}/api/collections`, {
      method: "POST",
      token,
      body: { name: "late", type: "base", fields: [], listRule: "" },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const urls = Array.from({ length: 6 }, () => `/api/collections/late/records?probe=${randomUUID()}`);
    for (const url of urls) {
      const list = await call(`${server.url}${url}`);
      assert.equal(list.status, 200, JSON.stringify(list.body));
    }
    await loggedAll(server, urls);
    const pids = new Set(urls.flatMap((url) => [...servingPids(server.output(), "GET", url)]));
    assert.equal(pids.size, 2, "the lists were served by both workers");
  });

  test("SIGTERM stops every worker and the primary exits 0", { timeout: 30_000 }, async () => {
    const workers = childPids(server.child.pid!);
    assert.equal(workers.size, 2);
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
    for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} still runs`);
    assert.equal(countOf(server.output(), /"msg":"shutting down"/), 2);
  });
});

describe("plinth serve --workers 2 on a fresh data directory", () => {
  let server: ServerProcess;

  before(async () => {
    server = await spawnServer(tempDir(), ["--workers", "2"]);
    await server.waitForOutput(/workers serving[^\n]*\n/);
  });

  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
  });

  test("prints the superuser hint once, from the primary", async () => {
    await server.waitForOutput(/No superuser yet/);
    assert.equal(countOf(server.output(), /No superuser yet/), 1);
  });

  test("gives up with exit code 1 when workers keep dying", { timeout: 60_000 }, async () => {
    const primary = server.child.pid!;
    for (let restart = 1; restart <= 5; restart++) {
      const [victim] = childPids(primary);
      process.kill(victim!, "SIGKILL");
      await outputUntil(server, (out) => countOf(out, /starting a replacement/) === restart);
    }
    const [last] = childPids(primary);
    process.kill(last!, "SIGKILL");
    assert.equal(await server.exited, 1);
    assert.match(server.output(), /more than 5 restarts within 30 s, giving up/);
  });
});

const pgBase = await postgresForTests("--workers on PostgreSQL");

describe("plinth serve --workers 2 --db postgres://…", { skip: pgBase === undefined }, () => {
  let schema: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let token: string;

  before(async () => {
    schema = await freshPostgresSchema(pgBase!);
    const made = await runCli([
      "superuser",
      "upsert",
      "admin@example.com",
      "password123",
      "--db",
      schema.url,
    ]);
    assert.equal(made.code, 0, made.stderr);
    server = await spawnServer(tempDir(), ["--workers", "2", "--db", schema.url]);
    await server.waitForOutput(/plinth: 2 workers serving http:\/\/127\.0\.0\.1:\d+\n/);
    token = await login(server.url);
  });

  after(async () => {
    await stopServers([server]);
    await schema?.drop();
  });

  test("a collection created on one worker is usable on the other at once, and records are shared", async () => {
    const created = await call(`${server.url}/api/collections`, {
      method: "POST",
      token,
      body: {
        name: "pgnotes",
        type: "base",
        fields: [{ name: "n", type: "number" }],
        listRule: "",
        createRule: "",
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const urls = Array.from({ length: 6 }, () => `/api/collections/pgnotes/records?probe=${randomUUID()}`);
    for (const [i, url] of urls.entries()) {
      const made = await call(`${server.url}${url}`, { method: "POST", body: { n: i } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
    }
    const list = await call(`${server.url}/api/collections/pgnotes/records?perPage=50`);
    assert.equal((list.body as { totalItems: number }).totalItems, 6);
    await loggedAll(server, urls);
    const pids = new Set(urls.flatMap((url) => [...servingPids(server.output(), "POST", url)]));
    assert.equal(pids.size, 2, "the creates were served by both workers");
  });
});
