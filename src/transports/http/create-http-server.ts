import cors from "@fastify/cors";
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from "fastify";
import type { Logger } from "pino";
import { registerBodyParsers } from "./body-parsers.ts";
import { clientErrorHandler } from "./client-error.ts";
import { errorReplyFor, toErrorReply } from "./error-reply.ts";
import { createLogger, type LoggerOptions } from "./logger.ts";
import type { MultipartLimits } from "./multipart-body.ts";
import { pickRequestId, randomRequestId } from "./request-id.ts";
import { logRequest, redactUrl } from "./request-log.ts";

/** Every bound the server puts on a request; each has a default in `DEFAULT_HTTP_LIMITS`. */
export interface HttpLimits extends MultipartLimits {
  /** Bytes of the request line plus headers (Node's `maxHeaderSize`); more gets 431. */
  readonly maxHeaderSize: number;
  /** Characters in one path parameter; a longer one does not match the route (404). */
  readonly maxParamLength: number;
  /** Time to receive a whole request (headers and body); PocketBase allows 5 minutes. */
  readonly requestTimeoutMs: number;
  /** Time to receive the headers; slow-header clients are cut off after it. */
  readonly headersTimeoutMs: number;
  /** Socket inactivity before it is closed; long enough for a quiet realtime stream between messages. */
  readonly connectionTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; above the usual 60 s of load balancers. */
  readonly keepAliveTimeoutMs: number;
}

/** Defaults for every limit except the body-size ones, which follow `bodyLimit`. */
export const DEFAULT_HTTP_LIMITS: Omit<HttpLimits, "maxFileSize" | "maxUploadSize"> = {
  maxJsonDepth: 64,
  maxFormFields: 1000,
  maxFiles: 100,
  maxHeaderSize: 16 * 1024,
  maxParamLength: 512,
  requestTimeoutMs: 5 * 60_000,
  headersTimeoutMs: 60_000,
  connectionTimeoutMs: 10 * 60_000,
  keepAliveTimeoutMs: 72_000,
};

/** Options for createHttpServer. */
export interface HttpServerOptions {
  /** A pino instance to log with, or how to build one. */
  readonly logger: LoggerOptions | Logger;
  /** Maximum body size in bytes (413 above it); also the default per-file and total upload limit. */
  readonly bodyLimit: number;
  /** Allowed CORS origins: `"*"` (PocketBase's default), or exact origins and `*`/`?` wildcard patterns. */
  readonly cors: { readonly origins: readonly string[] | "*" };
  /** Which proxies to trust for the client address and protocol (Fastify's `trustProxy`). */
  readonly trustProxy?: FastifyServerOptions["trustProxy"];
  readonly limits?: Partial<HttpLimits>;
  /** Generates request ids (default: random UUID). */
  readonly genRequestId?: () => string;
}

/**
 * The HTTP server routes plug into: request ids, PocketBase's error and 404 shapes, one structured log
 * line per request, bounded bodies/headers/params/JSON depth, PocketBase's body types, CORS.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const limits: HttpLimits = {
    ...DEFAULT_HTTP_LIMITS,
    maxFileSize: options.bodyLimit,
    maxUploadSize: options.bodyLimit,
    ...options.limits,
  };
  const generate = options.genRequestId ?? randomRequestId;
  const logger = isLogger(options.logger) ? options.logger : createLogger(options.logger);

  const app = Fastify({
    loggerInstance: logger,
    // Fastify's two lines per request are replaced by our one (the onResponse hook).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (req) => pickRequestId(req.headers["x-request-id"], generate),
    http: { maxHeaderSize: limits.maxHeaderSize, headersTimeout: limits.headersTimeoutMs },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    routerOptions: { maxParamLength: limits.maxParamLength },
    // We answer during shutdown ourselves, in PocketBase's shape (see the onRequest hook).
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors: (err, request, reply) => {
      const { status, body } = toErrorReply(err, request.log);
      // Fastify types this reply with route generics; it is a plain reply with no schema here.
      (reply as FastifyReply).header("x-request-id", request.id).code(status).send(body);
    },
  }) as unknown as FastifyInstance;

  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    if (!closing) {
      // debug-level arrival line: lets operators (and the drain test) see a request is in flight
      if (logger.isLevelEnabled("debug"))
        request.log.debug({ method: request.method, url: redactUrl(request.url) }, "request received");
      return done();
    }
    const { status, body } = errorReplyFor("unavailable", "The server is shutting down.");
    reply.code(status).send(body);
  });
  // A response finished during the drain must not keep its connection open, or closing waits for the client.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onResponse", (request, reply, done) => {
    if (logger.isLevelEnabled("info")) logRequest(request, reply);
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toErrorReply(err, request.log);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const { status, body } = errorReplyFor("not_found");
    return reply.code(status).send(body);
  });

  registerBodyParsers(app, limits);
  app.register(cors, {
    origin: corsOrigin(options.cors.origins),
    methods: "GET,HEAD,PUT,PATCH,POST,DELETE",
    // PocketBase answers a preflight without Origin with 204 instead of rejecting it.
    strictPreflight: false,
  });
  return app;
}

/** PocketBase's origin list: `*` allows all, `*` and `?` inside an entry are wildcards. */
function corsOrigin(origins: readonly string[] | "*"): "*" | (string | RegExp)[] {
  if (origins === "*" || origins.includes("*")) return "*";
  return origins.map((origin) =>
    /[*?]/.test(origin)
      ? new RegExp(`^${escapeRegExp(origin).replaceAll("\\*", ".*").replaceAll("\\?", ".")}$`)
      : origin,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function isLogger(value: LoggerOptions | Logger): value is Logger {
  return typeof (value as Logger).child === "function";
}
