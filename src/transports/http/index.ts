export {
  createHttpServer,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  type HttpServerOptions,
} from "./create-http-server.ts";
export {
  DEFAULT_MESSAGES,
  ERROR_STATUS,
  type ErrorBody,
  type ErrorLog,
  type ErrorReply,
  errorReplyFor,
  toErrorReply,
} from "./error-reply.ts";
export { type CloseOptions, closeGracefully } from "./graceful-shutdown.ts";
export { createLogger, type LoggerOptions } from "./logger.ts";
export { parseJsonBody } from "./json-body.ts";
export { JSON_PAYLOAD_KEY } from "./multipart-body.ts";
export { type RequestBody, readBody, type UploadedFile } from "./read-body.ts";
export { buildRequestInfo, type RequestInfoOptions } from "./request-info.ts";
