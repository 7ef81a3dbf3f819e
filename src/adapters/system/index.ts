export { cryptoIdGen, systemClock } from "./system-clock.ts";
