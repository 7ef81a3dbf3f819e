/** PocketBase JSON shapes written out by hand from its source, shared by this folder's tests. */

export const NOW = "2024-05-01 10:00:00.000Z";
export const OWNER_RULE =
  "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

/** A text field exactly as PocketBase serializes it (alphabetical keys). */
export function pbText(o: { id: string; name: string } & Partial<Record<string, unknown>>) {
  return {
    autogeneratePattern: o.autogeneratePattern ?? "",
    help: "",
    hidden: o.hidden ?? false,
    id: o.id,
    max: o.max ?? 0,
    min: o.min ?? 0,
    name: o.name,
    pattern: o.pattern ?? "",
    presentable: false,
    primaryKey: o.primaryKey ?? false,
    required: o.required ?? false,
    system: o.system ?? false,
    type: "text",
  };
}

export const PB_ID_FIELD = pbText({
  id: "text3208210256",
  name: "id",
  autogeneratePattern: "[a-z0-9]{15}",
  max: 15,
  min: 15,
  pattern: "^[a-z0-9]+$",
  primaryKey: true,
  required: true,
  system: true,
});

export function pbAutodate(name: "created" | "updated", system: boolean) {
  return {
    hidden: false,
    id: name === "created" ? "autodate2990389176" : "autodate3332085495",
    name,
    onCreate: true,
    onUpdate: name === "updated",
    presentable: false,
    system,
    type: "autodate",
  };
}

/** The auth fields PocketBase's auth factory adds, in order. */
export const PB_AUTH_FIELDS = [
  PB_ID_FIELD,
  {
    cost: 0,
    help: "",
    hidden: true,
    id: "password901924565",
    max: 0,
    min: 8,
    name: "password",
    pattern: "",
    presentable: false,
    required: true,
    system: true,
    type: "password",
  },
  pbText({
    id: "text2504183744",
    name: "tokenKey",
    autogeneratePattern: "[a-zA-Z0-9]{50}",
    hidden: true,
    max: 60,
    min: 30,
    required: true,
    system: true,
  }),
  {
    exceptDomains: null,
    help: "",
    hidden: false,
    id: "email3885137012",
    name: "email",
    onlyDomains: null,
    presentable: false,
    required: true,
    system: true,
    type: "email",
  },
  {
    help: "",
    hidden: false,
    id: "bool1547992806",
    name: "emailVisibility",
    presentable: false,
    required: false,
    system: true,
    type: "bool",
  },
  {
    help: "",
    hidden: false,
    id: "bool256245529",
    name: "verified",
    presentable: false,
    required: false,
    system: true,
    type: "bool",
  },
];
