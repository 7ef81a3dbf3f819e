/** Plinth's public API: build an app in code, with the types hooks, routes and jobs need. */
export { createPlinth, type Plinth, type PlinthOverrides } from "./plinth.ts";
export { type Config, DEFAULT_CONFIG, loadConfig } from "./config/index.ts";
export { PlinthError, type ErrorCode } from "./core/errors.ts";
export type { Collection } from "./core/collections/collection.ts";
export type { Field } from "./core/collections/field.ts";
export type { RequestInfo } from "./core/request-info.ts";
