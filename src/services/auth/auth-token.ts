import type { AuthCollection } from "../../core/collections/collection.ts";
import type { RecordRow, TokenSigner } from "../../core/ports.ts";

/** Each token is signed with the record's tokenKey plus the collection secret, so changing either revokes it. */
function signingKey(collection: AuthCollection, record: RecordRow): string {
  return String(record["tokenKey"] ?? "") + (collection.authToken.secret ?? "");
}

/** Issues a PocketBase-compatible auth token valid for the collection's `authToken.duration` seconds. */
export function issueAuthToken(
  signer: TokenSigner,
  collection: AuthCollection,
  record: RecordRow,
  now: Date,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  return signer.sign(
    { collectionId: collection.id, id: String(record["id"]), refreshable: true, type: "auth" },
    signingKey(collection, record),
    iat + collection.authToken.duration,
  );
}

/** Reads the claims without trusting them, to find whose key verifies the token. */
export function peekAuthClaims(
  signer: TokenSigner,
  token: string,
): { id: string; collectionId: string } | null {
  const claims = signer.peek(token);
  if (claims === null || claims["type"] !== "auth") return null;
  const id = claims["id"];
  const collectionId = claims["collectionId"];
  return typeof id === "string" && typeof collectionId === "string" ? { id, collectionId } : null;
}

/**
 * Verifies signature, algorithm and expiry against the record's current key; returns when the
 * token expires (ms since epoch), or null when it does not verify.
 */
export function verifyAuthToken(
  signer: TokenSigner,
  token: string,
  collection: AuthCollection,
  record: RecordRow,
  now: Date,
): number | null {
  const claims = signer.verify(token, signingKey(collection, record), Math.floor(now.getTime() / 1000));
  const exp = claims?.["exp"];
  return typeof exp === "number" ? exp * 1000 : null;
}
