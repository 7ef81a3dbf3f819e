import type { FastifyRequest } from "fastify";
import { PlinthError } from "../../core/errors.ts";

/** One uploaded file from a multipart body, held in memory (its size is bounded by the upload limits). */
export interface UploadedFile {
  readonly filename: string;
  readonly mimetype: string;
  readonly data: Buffer;
}

/** A request's submitted fields and files, as every endpoint that takes a body reads them. */
export interface RequestBody {
  readonly body: Record<string, unknown>;
  readonly files: Record<string, UploadedFile[]>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Files of a multipart body by field name; null when the body was not multipart. */
    uploadedFiles: Record<string, UploadedFile[]> | null;
  }
}

/**
 * The submitted body as a field map plus uploaded files, whatever the content type
 * (JSON, urlencoded or multipart with `@jsonPayload`). No body reads as `{}`;
 * a JSON body that is not an object is rejected as PocketBase does (400).
 */
export function readBody(request: FastifyRequest): RequestBody {
  const files = request.uploadedFiles ?? {};
  const raw = request.body;
  if (raw === undefined || raw === null) return { body: {}, files };
  if (!isPlainObject(raw)) throw new PlinthError("invalid_input", "Failed to read the submitted data.");
  return { body: raw, files };
}

/** Whether a value is a JSON-style object (not an array, buffer or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
