import { randomUUID } from "node:crypto";

/** What an incoming `X-Request-Id` must look like to be reused: short, and harmless in logs and headers. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request id for a request: its own `X-Request-Id` when safe, else a fresh one. */
export function pickRequestId(incoming: string | string[] | undefined, generate: () => string): string {
  return typeof incoming === "string" && SAFE_REQUEST_ID.test(incoming) ? incoming : generate();
}

/** The default id generator. */
export function randomRequestId(): string {
  return randomUUID();
}
