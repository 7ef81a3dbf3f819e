/** A schema for the openapi tests: the system collections plus one collection of every type with every field type. */
import type { Collection } from "../../core/collections/collection.ts";
import { normalizeCollection } from "../../core/collections/normalize-collection.ts";
import { createSystemCollections } from "../../core/collections/system-collections.ts";

const OPTS = { now: "2024-01-01 00:00:00.000Z", randomSecret: () => "s".repeat(50) };

/** Builds a collection through the same normalization the collections API uses. */
export function makeCollection(
  input: Record<string, unknown>,
  existing: readonly Collection[] = [],
): Collection {
  return normalizeCollection(input, null, { ...OPTS, collections: existing });
}

/** System collections, `posts` (base, every field type), `members` (auth) and `post_titles` (view). */
export function fullSchema(): Collection[] {
  const system = createSystemCollections(OPTS);
  const members = makeCollection(
    {
      type: "auth",
      name: "members",
      listRule: "",
      fields: [
        { name: "nickname", type: "text", required: true, help: "Shown to other */ members" },
        { name: "secretNote", type: "text", hidden: true },
      ],
    },
    system,
  );
  const posts = makeCollection(
    {
      type: "base",
      name: "posts",
      listRule: "",
      viewRule: "",
      createRule: "@request.auth.id != ''",
      fields: [
        { name: "title", type: "text", required: true, min: 3, max: 120, pattern: "^[^<]+$" },
        { name: "body", type: "editor" },
        { name: "views", type: "number", onlyInt: true, min: 0 },
        { name: "score", type: "number" },
        { name: "published", type: "bool" },
        { name: "contact", type: "email" },
        { name: "homepage", type: "url" },
        { name: "publishAt", type: "date" },
        { name: "status", type: "select", values: ["draft", "published"], maxSelect: 1, required: true },
        { name: "mood", type: "select", values: ["happy", "sad"], maxSelect: 1 },
        { name: "tags", type: "select", values: ["news", "tech", 'it\'s "quoted"'], maxSelect: 3 },
        { name: "meta", type: "json" },
        { name: "cover", type: "file", maxSelect: 1 },
        { name: "gallery", type: "file", maxSelect: 5 },
        { name: "author", type: "relation", collectionId: members.id, maxSelect: 1 },
        { name: "reviewers", type: "relation", collectionId: members.id, maxSelect: 4, minSelect: 1 },
        { name: "location", type: "geoPoint" },
        { name: "pin", type: "password" },
        { name: "internal", type: "text", hidden: true },
        { name: "created", type: "autodate", onCreate: true },
        { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
      ],
    },
    [...system, members],
  );
  const view = makeCollection(
    { type: "view", name: "post_titles", listRule: "", viewQuery: "SELECT id, title, status FROM posts" },
    [...system, members, posts],
  );
  return [...system, members, posts, view];
}

/** Finds a collection by name or throws. */
export function byName(collections: readonly Collection[], name: string): Collection {
  const c = collections.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no collection ${name}`);
  return c;
}
