import { decodeJwt, jwtVerify, SignJWT } from "jose";
import type { AuthCollection } from "../../core/collections/collection.ts";
import type { RecordRow } from "../../core/ports.ts";

/** The claims of a PocketBase-compatible auth token. */
export interface AuthClaims {
  readonly id: string;
  readonly collectionId: string;
  readonly type: "auth";
  readonly refreshable: boolean;
}

const encoder = new TextEncoder();

/** Each token is signed with the record's tokenKey plus the collection secret, so changing either revokes it. */
function signingKey(collection: AuthCollection, record: RecordRow): Uint8Array {
  return encoder.encode(String(record["tokenKey"] ?? "") + (collection.authToken.secret ?? ""));
}

/** Issues an HS256 auth token valid for the collection's `authToken.duration` seconds. */
export async function issueAuthToken(
  collection: AuthCollection,
  record: RecordRow,
  now: Date,
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    id: String(record["id"]),
    collectionId: collection.id,
    type: "auth",
    refreshable: true,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setExpirationTime(iat + collection.authToken.duration)
    .sign(signingKey(collection, record));
}

/** Reads the claims without trusting them, to find whose key verifies the token. */
export function peekAuthClaims(token: string): { id: string; collectionId: string } | null {
  try {
    const claims = decodeJwt(token);
    if (
      claims["type"] !== "auth" ||
      typeof claims["id"] !== "string" ||
      typeof claims["collectionId"] !== "string"
    )
      return null;
    return { id: claims["id"], collectionId: claims["collectionId"] };
  } catch {
    return null;
  }
}

/** Verifies signature, algorithm and expiry against the record's current key. */
export async function verifyAuthToken(
  token: string,
  collection: AuthCollection,
  record: RecordRow,
  now: Date,
): Promise<boolean> {
  try {
    await jwtVerify(token, signingKey(collection, record), { algorithms: ["HS256"], currentDate: now });
    return true;
  } catch {
    return false;
  }
}
