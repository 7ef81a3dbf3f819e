import { randomInt } from "node:crypto";
import { type Clock, ID_ALPHABET, type IdGen } from "../../core/clock.ts";

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/** Cryptographically random ids and secrets. */
export const cryptoIdGen: IdGen = {
  random(length, alphabet = ID_ALPHABET) {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
    return out;
  },
};
