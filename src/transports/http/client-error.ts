import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { DEFAULT_MESSAGES } from "./error-reply.ts";

/**
 * Answers HTTP that never became a request (oversized headers, a request not received in time,
 * garbage on the socket) in PocketBase's error shape, then drops the connection.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request header fields too large."]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request timeout."]
        : [400, DEFAULT_MESSAGES.invalid_input];
  this.log.debug({ err }, "client error");
  if (socket.writable) {
    const body = JSON.stringify({ status, message, data: {} });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
