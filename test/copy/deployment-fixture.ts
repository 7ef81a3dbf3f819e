// A deployment with something of every kind `plinth copy` must carry over, built through the HTTP API
// of a running server, and a snapshot of what the API shows of it, to compare before and after a copy.
import assert from "node:assert/strict";
import type { Json } from "../support/json.ts";

export const SUPERUSER = { email: "root@example.com", password: "rootpassword123" } as const;
export const USER = { email: "ann@example.com", password: "annpassword123" } as const;

/** One JSON (or multipart) request; the body parsed. */
export async function api(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; form?: FormData; token?: string } = {},
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["authorization"] = options.token;
  let body: string | FormData | undefined = options.form;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? null : JSON.parse(text)) as Json };
}

/** Logs in with a password; resolves to the response (token and record). */
export async function login(
  url: string,
  collection: string,
  who: { email: string; password: string },
): Promise<{ status: number; body: Json }> {
  return api(url, "POST", `/api/collections/${collection}/auth-with-password`, {
    body: { identity: who.email, password: who.password },
  });
}

async function ok(res: Promise<{ status: number; body: Json }>): Promise<Json> {
  const { status, body } = await res;
  assert.ok(status >= 200 && status < 300, `${status} ${JSON.stringify(body)}`);
  return body;
}

/** What `populate` made that a test needs afterwards. */
export interface Populated {
  /** A token the source server issued to the user. */
  readonly userToken: string;
  readonly userId: string;
}

/**
 * Fills a deployment whose superuser (SUPERUSER) exists: a base collection with every kind of field,
 * two indexes (one unique), a relation to an auth collection's user, a view and a view over that view,
 * and changed settings.
 */
export async function populate(url: string): Promise<Populated> {
  const su = String((await ok(login(url, "_superusers", SUPERUSER)))["token"]);
  const as = { token: su };
  const tags = await ok(
    api(url, "POST", "/api/collections", {
      ...as,
      body: { name: "tags", type: "base", listRule: "", fields: [{ name: "label", type: "text" }] },
    }),
  );
  const alpha = await ok(
    api(url, "POST", "/api/collections/tags/records", { ...as, body: { label: "alpha" } }),
  );
  const beta = await ok(
    api(url, "POST", "/api/collections/tags/records", { ...as, body: { label: "beta" } }),
  );
  const users = await ok(api(url, "GET", "/api/collections/users", as));
  await ok(
    api(url, "POST", "/api/collections", {
      ...as,
      body: {
        name: "posts",
        type: "base",
        listRule: "",
        viewRule: "",
        fields: [
          { name: "title", type: "text", required: true },
          { name: "views", type: "number" },
          { name: "score", type: "number" },
          { name: "published", type: "bool" },
          { name: "meta", type: "json" },
          { name: "labels", type: "select", values: ["news", "tech", "life"], maxSelect: 3 },
          { name: "kind", type: "select", values: ["short", "long"], maxSelect: 1 },
          { name: "author", type: "relation", collectionId: users["id"], maxSelect: 1 },
          { name: "tags", type: "relation", collectionId: tags["id"], maxSelect: 5 },
          { name: "cover", type: "file", maxSelect: 1, maxSize: 1_000_000 },
          { name: "gallery", type: "file", maxSelect: 5, maxSize: 1_000_000 },
          { name: "body", type: "editor" },
          { name: "site", type: "url" },
          { name: "contact", type: "email" },
          { name: "due", type: "date" },
          { name: "place", type: "geoPoint" },
          { name: "created", type: "autodate", onCreate: true },
          { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
        ],
        indexes: [
          "CREATE UNIQUE INDEX idx_posts_title ON posts (title)",
          "CREATE INDEX idx_posts_views ON posts (views)",
        ],
      },
    }),
  );
  const user = await ok(
    api(url, "POST", "/api/collections/users/records", {
      ...as,
      body: {
        email: USER.email,
        password: USER.password,
        passwordConfirm: USER.password,
        name: "Ann",
        verified: true,
        emailVisibility: true,
      },
    }),
  );
  const userLogin = await ok(login(url, "users", USER));

  const form = new FormData();
  form.append(
    "@jsonPayload",
    JSON.stringify({
      title: "First post",
      views: 42,
      score: 3.25,
      published: true,
      meta: { z: 1, a: { nested: [1, "two", null, true] }, ü: "unicode ✓" },
      labels: ["tech", "news"],
      kind: "long",
      author: user["id"],
      tags: [beta["id"], alpha["id"]],
      body: "<p>Hello <b>world</b></p>",
      site: "https://example.com/a?b=c",
      contact: "ann@example.com",
      due: "2024-05-06 07:08:09.123Z",
      place: { lon: 13.4, lat: 52.52 },
    }),
  );
  form.append("cover", new Blob(["cover image"], { type: "image/png" }), "cover.png");
  form.append("gallery", new Blob(["one"], { type: "image/png" }), "one.png");
  form.append("gallery", new Blob(["two"], { type: "image/png" }), "two.png");
  await ok(api(url, "POST", "/api/collections/posts/records", { ...as, form }));
  await ok(
    api(url, "POST", "/api/collections/posts/records", {
      ...as,
      body: { title: "Second post", views: -7, published: false, meta: [1, 2, 3], score: 1e21 },
    }),
  );
  await ok(
    api(url, "POST", "/api/collections/posts/records", {
      ...as,
      body: { title: "Third post", meta: "just text", labels: ["life"], kind: "short" },
    }),
  );
  await ok(
    api(url, "POST", "/api/collections", {
      ...as,
      body: {
        name: "post_titles",
        type: "view",
        listRule: "",
        viewQuery: "SELECT id, title, views FROM posts",
      },
    }),
  );
  await ok(
    api(url, "POST", "/api/collections", {
      ...as,
      body: {
        name: "popular_titles",
        type: "view",
        listRule: "",
        viewQuery: "SELECT id, title FROM post_titles WHERE views > 0",
      },
    }),
  );
  await ok(
    api(url, "PATCH", "/api/settings", {
      ...as,
      body: { meta: { appName: "Copied app", appURL: "https://copied.example.com" } },
    }),
  );
  return { userToken: String(userLogin["token"]), userId: String(user["id"]) };
}

/** Everything the API shows a superuser: collections, every collection's records, settings. */
export interface Snapshot {
  readonly collections: Json[];
  readonly records: Record<string, Json[]>;
  readonly settings: Json;
}

const byId = (a: Json, b: Json) => (String(a["id"]) < String(b["id"]) ? -1 : 1);

/** Reads the snapshot (sorted by id here, as the two databases may sort text differently). */
export async function snapshot(url: string): Promise<Snapshot> {
  const token = String((await ok(login(url, "_superusers", SUPERUSER)))["token"]);
  const list = await ok(api(url, "GET", "/api/collections?perPage=500", { token }));
  const collections = (list["items"] as Json[]).sort(byId);
  const records: Record<string, Json[]> = {};
  for (const c of collections) {
    const page = await ok(api(url, "GET", `/api/collections/${c["name"]}/records?perPage=500`, { token }));
    records[String(c["name"])] = (page["items"] as Json[]).sort(byId);
  }
  return { collections, records, settings: await ok(api(url, "GET", "/api/settings", { token })) };
}
