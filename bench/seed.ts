import { call, str } from "./api-client.ts";

/** What the cases need to know about the seeded data. */
export interface Seeded {
  /** Ids of all `posts` records. */
  readonly postIds: readonly string[];
  /** Ids of `owned` records whose owner is the bench user (viewable with `userToken`). */
  readonly ownedIds: readonly string[];
  readonly userToken: string;
  readonly superuserToken: string;
  /** How the records were inserted: "batch" or "single" (when /api/batch was unavailable). */
  readonly insertMode: "batch" | "single";
}

/** Seeding parameters. */
export interface SeedOptions {
  readonly base: string;
  readonly superuser: { readonly email: string; readonly password: string };
  readonly perCollection: number;
  /** Share of records owned by the bench user (the rest belong to another user). */
  readonly ownedShare: number;
  readonly log: (line: string) => void;
}

const BATCH_SIZE = 50;
const BATCHES_IN_FLIGHT = 4;
const SINGLES_IN_FLIGHT = 16;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A PocketBase-shaped record id (15 chars of [a-z0-9]); the harness picks ids so it knows them up front. */
export function randomId(): string {
  let id = "";
  for (let i = 0; i < 15; i++) id += ID_ALPHABET[Math.floor(Math.random() * ID_ALPHABET.length)];
  return id;
}

function collectionBody(name: string, usersId: string, rule: string): Record<string, unknown> {
  return {
    name,
    type: "base",
    listRule: rule,
    viewRule: rule,
    createRule: name === "posts" ? "" : null,
    // Both list cases filter and sort on n; an index makes them measure the server rather than a table scan.
    indexes: [`CREATE INDEX idx_${name}_n ON ${name} (n)`],
    fields: [
      { name: "title", type: "text" },
      { name: "n", type: "number" },
      { name: "flag", type: "bool" },
      { name: "owner", type: "relation", collectionId: usersId, maxSelect: 1, cascadeDelete: false },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  };
}

async function createUser(
  base: string,
  email: string,
  password: string,
): Promise<{ id: string; token: string }> {
  await call(base, "POST", "/api/collections/users/records", {
    body: { email, password, passwordConfirm: password },
  });
  const auth = await call(base, "POST", "/api/collections/users/auth-with-password", {
    body: { identity: email, password },
  });
  const record = (auth.json as { record?: unknown }).record;
  return { id: str(record, "id", "user auth"), token: str(auth.json, "token", "user auth") };
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Tries /api/batch once (enabling it in settings if the server says it is disabled); false if unusable. */
async function batchUsable(base: string, token: string): Promise<boolean> {
  const probe = async (): Promise<number> =>
    (await call(base, "POST", "/api/batch", { token, body: { requests: [] }, check: false })).status;
  let status = await probe();
  if (status >= 200 && status < 500 && status !== 403 && status !== 404) return true;
  await call(base, "PATCH", "/api/settings", {
    token,
    body: { batch: { enabled: true, maxRequests: BATCH_SIZE, timeout: 10, maxBodySize: 0 } },
    check: false,
  });
  status = await probe();
  return status !== 403 && status !== 404 && status < 500;
}

/** Creates the superuser session, users, the `posts` and `owned` collections, and seeds both. */
export async function seed(opts: SeedOptions): Promise<Seeded> {
  const { base, log } = opts;
  const su = await call(base, "POST", "/api/collections/_superusers/auth-with-password", {
    body: { identity: opts.superuser.email, password: opts.superuser.password },
  });
  const token = str(su.json, "token", "superuser auth");
  const users = await call(base, "GET", "/api/collections/users", { token });
  const usersId = str(users.json, "id", "users collection");

  const user = await createUser(base, "bench@example.com", "bench-password-1");
  const other = await createUser(base, "other@example.com", "bench-password-2");
  await call(base, "POST", "/api/collections", { token, body: collectionBody("posts", usersId, "") });
  await call(base, "POST", "/api/collections", {
    token,
    body: collectionBody("owned", usersId, "owner = @request.auth.id"),
  });

  const useBatch = await batchUsable(base, token);
  log(`seeding ${opts.perCollection} records per collection via ${useBatch ? "/api/batch" : "single POSTs"}`);
  const postIds: string[] = [];
  const ownedIds: string[] = [];
  for (const name of ["posts", "owned"] as const) {
    const records = Array.from({ length: opts.perCollection }, (_, i) => {
      const mine = Math.random() < opts.ownedShare;
      const rec = {
        id: randomId(),
        title: `${name} record ${i}`,
        n: Math.floor(Math.random() * 1000),
        flag: Math.random() < 0.5,
        owner: mine ? user.id : other.id,
      };
      if (name === "posts") postIds.push(rec.id);
      else if (mine) ownedIds.push(rec.id);
      return rec;
    });
    const url = `/api/collections/${name}/records`;
    if (useBatch) {
      const chunks: (typeof records)[] = [];
      for (let i = 0; i < records.length; i += BATCH_SIZE) chunks.push(records.slice(i, i + BATCH_SIZE));
      await pool(chunks, BATCHES_IN_FLIGHT, async (chunk) => {
        await call(base, "POST", "/api/batch", {
          token,
          body: { requests: chunk.map((body) => ({ method: "POST", url, body })) },
        });
      });
    } else {
      await pool(
        records,
        SINGLES_IN_FLIGHT,
        async (body) => void (await call(base, "POST", url, { token, body })),
      );
    }
  }
  // Sanity: the server holds what we think it holds.
  for (const name of ["posts", "owned"] as const) {
    const list = await call(base, "GET", `/api/collections/${name}/records?perPage=1`, { token });
    const total = (list.json as { totalItems?: unknown }).totalItems;
    if (total !== opts.perCollection)
      throw new Error(`${name}: expected ${opts.perCollection} records, server has ${String(total)}`);
  }
  return {
    postIds,
    ownedIds,
    userToken: user.token,
    superuserToken: token,
    insertMode: useBatch ? "batch" : "single",
  };
}
