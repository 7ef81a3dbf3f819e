import assert from "node:assert/strict";
import PocketBase, { BaseAuthStore, ClientResponseError } from "pocketbase";
import { SUPERUSER, type TestServer } from "../support/test-server.ts";

/** The password every SDK-suite user signs up with. */
export const USER_PASSWORD = "password123";

/**
 * A fresh SDK client against the server, with an in-memory auth store and no
 * auto-cancellation (tests fire parallel requests to the same path on purpose).
 */
export function newClient(server: TestServer): PocketBase {
  const pb = new PocketBase(server.url, new BaseAuthStore());
  pb.autoCancellation(false);
  return pb;
}

/** A client logged in as the test superuser through the SDK itself. */
export async function superuserClient(server: TestServer): Promise<PocketBase> {
  await server.superuserToken(); // creates the superuser on first call
  const pb = newClient(server);
  await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
  return pb;
}

/** Signs up a `users` record through the SDK and returns a client logged in as it. */
export async function userClient(
  server: TestServer,
  email: string,
  extra: Record<string, unknown> = {},
): Promise<PocketBase> {
  const pb = newClient(server);
  await pb
    .collection("users")
    .create({ email, password: USER_PASSWORD, passwordConfirm: USER_PASSWORD, ...extra });
  await pb.collection("users").authWithPassword(email, USER_PASSWORD);
  return pb;
}

/** The id of the record a client is logged in as. */
export function authId(pb: PocketBase): string {
  const id = pb.authStore.record?.id;
  assert.ok(id, "client is not logged in");
  return id;
}

/** Awaits a call that must fail and returns its ClientResponseError after checking the status. */
export async function rejection(promise: Promise<unknown>, status: number): Promise<ClientResponseError> {
  try {
    const value = await promise;
    assert.fail(`expected HTTP ${status}, got success: ${JSON.stringify(value)}`);
  } catch (err) {
    if (!(err instanceof ClientResponseError)) throw err;
    assert.equal(
      err.status,
      status,
      `expected HTTP ${status}, got ${err.status}: ${JSON.stringify(err.response)}`,
    );
    return err;
  }
}

/** Checks the PocketBase error body shape `{status, message, data}`. */
export function assertErrorShape(err: ClientResponseError): void {
  const body = err.response as Record<string, unknown>;
  assert.equal(body["status"], err.status, `body.status: ${JSON.stringify(body)}`);
  assert.equal(typeof body["message"], "string", `body.message: ${JSON.stringify(body)}`);
  assert.ok(
    body["data"] !== null && typeof body["data"] === "object" && !Array.isArray(body["data"]),
    `body.data: ${JSON.stringify(body)}`,
  );
}

/** The `code` of one field's validation error in a ClientResponseError (undefined when absent). */
export function fieldCode(err: ClientResponseError, field: string): unknown {
  const data = (err.response as { data?: Record<string, { code?: unknown }> }).data;
  return data?.[field]?.code;
}
