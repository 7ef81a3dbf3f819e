export { type Argon2Params, createArgon2Hasher } from "./argon2-hasher.ts";
