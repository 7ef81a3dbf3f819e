export { type Argon2Params, createArgon2Hasher } from "./argon2-hasher.ts";
export { createHmacTokenSigner } from "./hmac-token-signer.ts";
