import { request } from "node:http";
import type { Json } from "./json.ts";

/**
 * One HTTP request on a fresh connection (`Connection: close`), so node:cluster's round-robin
 * hands each request to the next worker instead of keeping it on one keep-alive socket.
 */
export function callOnFreshConnection(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json }> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers["authorization"] = init.token;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let body: Json = null;
        try {
          body = JSON.parse(text) as Json;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}
