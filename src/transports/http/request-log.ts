import type { FastifyReply, FastifyRequest } from "fastify";

/** Query parameter names whose values never reach a log line. */
const SECRET_PARAM = /token|pass|secret|key|code|sig|auth|session|cookie|otp|state/i;

/** The request URL with the values of secret-looking query parameters replaced; the rest is kept verbatim. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const pairs = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return SECRET_PARAM.test(safeDecode(name)) ? `${name}=[redacted]` : pair;
    });
  return url.slice(0, q + 1) + pairs.join("&");
}

/** The one structured log line per request, written when the response has been sent. */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  request.log.info(
    {
      method: request.method,
      url: redactUrl(request.url),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    },
    "request",
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}
