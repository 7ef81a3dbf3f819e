/**
 * A parsed JSON response body. `any` on purpose, and only here: tests read arbitrary nested paths of API
 * responses and assert on the values; with `unknown` every access needs a cast that checks nothing more.
 */
export type Json = any;

/** A JSON object from a response. */
export type JsonObject = Record<string, Json>;
