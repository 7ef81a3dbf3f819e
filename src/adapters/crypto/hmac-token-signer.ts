import { createHmac, timingSafeEqual } from "node:crypto";
import type { TokenClaims, TokenSigner } from "../../core/ports.ts";

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const MAX_TOKEN_LENGTH = 4096;

function mac(input: string, key: string): Buffer {
  return createHmac("sha256", key).update(input).digest();
}

function parse(
  token: string,
): { header: string; payload: string; signature: string; claims: TokenClaims } | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
    if (head["alg"] !== "HS256") return null; // never "none", never another algorithm
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return null;
    return { header, payload, signature, claims: claims as TokenClaims };
  } catch {
    return null;
  }
}

/**
 * HS256 JWTs with node:crypto. A single HMAC per request: jose's WebCrypto path imports a key and awaits
 * `subtle.verify` on every call, which cost most of an authenticated request's time in the benchmark.
 */
export function createHmacTokenSigner(): TokenSigner {
  return {
    sign(claims, key, expiresAt) {
      const payload = Buffer.from(JSON.stringify({ ...claims, exp: expiresAt })).toString("base64url");
      const input = `${HEADER}.${payload}`;
      return `${input}.${mac(input, key).toString("base64url")}`;
    },
    peek(token) {
      return parse(token)?.claims ?? null;
    },
    verify(token, key, now) {
      const parsed = parse(token);
      if (parsed === null) return null;
      const expected = mac(`${parsed.header}.${parsed.payload}`, key);
      const given = Buffer.from(parsed.signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const exp = parsed.claims["exp"];
      if (typeof exp !== "number" || exp <= now) return null;
      return parsed.claims;
    },
  };
}
