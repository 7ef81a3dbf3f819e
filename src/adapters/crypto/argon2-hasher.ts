import { argon2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { PasswordHasher } from "../../core/ports.ts";

const argon2Async = promisify(argon2);

/** argon2id parameters (OWASP's second recommended set: 19 MiB, 2 passes). */
export interface Argon2Params {
  readonly memoryKiB: number;
  readonly passes: number;
  readonly parallelism: number;
}

const DEFAULTS: Argon2Params = { memoryKiB: 19_456, passes: 2, parallelism: 1 };
const TAG_LENGTH = 32;

function b64(buf: Buffer): string {
  return buf.toString("base64").replace(/=+$/, "");
}

/** Password hashing with Node's built-in argon2id, stored in the standard PHC string format. */
export function createArgon2Hasher(params: Argon2Params = DEFAULTS): PasswordHasher {
  async function derive(
    password: string,
    nonce: Buffer,
    p: Argon2Params,
    tagLength: number,
  ): Promise<Buffer> {
    return argon2Async("argon2id", {
      message: password,
      nonce,
      parallelism: p.parallelism,
      tagLength,
      memory: p.memoryKiB,
      passes: p.passes,
    });
  }
  return {
    async hash(password) {
      const nonce = randomBytes(16);
      const tag = await derive(password, nonce, params, TAG_LENGTH);
      return `$argon2id$v=19$m=${params.memoryKiB},t=${params.passes},p=${params.parallelism}$${b64(nonce)}$${b64(tag)}`;
    },
    async verify(hash, password) {
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash);
      if (m === null) return false;
      const p = { memoryKiB: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
      if (p.memoryKiB > 1_048_576 || p.passes > 16 || p.parallelism > 16) return false;
      const expected = Buffer.from(m[5]!, "base64");
      const actual = await derive(password, Buffer.from(m[4]!, "base64"), p, expected.length);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
