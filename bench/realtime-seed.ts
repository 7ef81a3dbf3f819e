import { call, str } from "./api-client.ts";

/** The bench user the subscribers of the rule cases authenticate as (and who owns every created record). */
export const REALTIME_USER = { email: "realtime@example.com", password: "realtime-password-1" };

/** The public collection (guests may list it) and the one whose list rule is `owner = @request.auth.id`. */
export const PUBLIC_COLLECTION = "rt";
export const RULE_COLLECTION = "rt_owned";

function collectionBody(name: string, usersId: string, rule: string): Record<string, unknown> {
  return {
    name,
    type: "base",
    listRule: rule,
    viewRule: rule,
    createRule: null, // the writer is the superuser
    fields: [
      { name: "title", type: "text" },
      { name: "n", type: "number" },
      { name: "owner", type: "relation", collectionId: usersId, maxSelect: 1, cascadeDelete: false },
    ],
  };
}

/** Creates the two collections and the bench user through the API. */
export async function seedRealtime(
  base: string,
  superuser: { readonly email: string; readonly password: string },
): Promise<void> {
  const su = await call(base, "POST", "/api/collections/_superusers/auth-with-password", {
    body: { identity: superuser.email, password: superuser.password },
  });
  const token = str(su.json, "token", "superuser auth");
  const users = await call(base, "GET", "/api/collections/users", { token });
  const usersId = str(users.json, "id", "users collection");
  await call(base, "POST", "/api/collections/users/records", {
    body: { ...REALTIME_USER, passwordConfirm: REALTIME_USER.password },
  });
  await call(base, "POST", "/api/collections", {
    token,
    body: collectionBody(PUBLIC_COLLECTION, usersId, ""),
  });
  await call(base, "POST", "/api/collections", {
    token,
    body: collectionBody(RULE_COLLECTION, usersId, "owner = @request.auth.id"),
  });
}
