import type { Multipart } from "@fastify/multipart";
import { PlinthError } from "../../core/errors.ts";
import { appendFormValue, inferFormValue } from "./form-values.ts";
import { parseJsonBody } from "./json-body.ts";
import { isPlainObject, type RequestBody, type UploadedFile } from "./read-body.ts";

/** The multipart field whose JSON value is merged into the body (PocketBase's `@jsonPayload`). */
export const JSON_PAYLOAD_KEY = "@jsonPayload";

/** Bounds on one multipart body. */
export interface MultipartLimits {
  readonly maxJsonDepth: number;
  readonly maxFileSize: number;
  readonly maxFiles: number;
  readonly maxFormFields: number;
  /** Total bytes of all fields and files together. */
  readonly maxUploadSize: number;
}

/** Go's (and so PocketBase's) rule: a part is a file exactly when it has a non-empty file name. */
export function isPartAFile(
  _field: string | undefined,
  _contentType: string | undefined,
  filename: string | undefined,
): boolean {
  return filename !== undefined && filename !== "";
}

/** Busboy limits matching `limits`; the per-file and count limits raise 413 errors while streaming. */
export function busboyLimits(limits: MultipartLimits) {
  return {
    fileSize: limits.maxFileSize,
    files: limits.maxFiles,
    fields: limits.maxFormFields,
    parts: limits.maxFiles + limits.maxFormFields,
    fieldSize: limits.maxUploadSize,
    fieldNameSize: 200,
    headerPairs: 100,
  };
}

/**
 * Reads every part the way PocketBase does: plain values are inferred (repeated keys become arrays),
 * each `@jsonPayload` is parsed and merged over them key by key, file parts are buffered by field name.
 */
export async function collectMultipart(
  parts: AsyncIterable<Multipart>,
  limits: MultipartLimits,
): Promise<RequestBody> {
  const body: Record<string, unknown> = {};
  const files: Record<string, UploadedFile[]> = {};
  const payloads: string[] = [];
  let total = 0;
  const count = (bytes: number) => {
    total += bytes;
    if (total > limits.maxUploadSize) throw new PlinthError("payload_too_large", "");
  };

  for await (const part of parts) {
    if (part.type === "file") {
      const data = await part.toBuffer();
      count(data.length);
      const list = Object.hasOwn(files, part.fieldname) ? files[part.fieldname]! : [];
      list.push({ filename: part.filename, mimetype: part.mimetype, data });
      files[part.fieldname] = list;
      continue;
    }
    if (part.valueTruncated || part.fieldnameTruncated) throw new PlinthError("payload_too_large", "");
    // The plugin pre-parses parts sent with a JSON content type; PocketBase sees their text.
    const text = typeof part.value === "string" ? part.value : JSON.stringify(part.value);
    count(Buffer.byteLength(text));
    if (part.fieldname === JSON_PAYLOAD_KEY) payloads.push(text);
    else appendFormValue(body, part.fieldname, inferFormValue(text));
  }

  for (const payload of payloads) {
    const value = parseJsonBody(payload, limits.maxJsonDepth);
    if (value === null) continue;
    if (!isPlainObject(value)) {
      throw new PlinthError("invalid_input", "Failed to read the submitted data.");
    }
    // parseJsonBody rejects `__proto__` keys, so plain assignment cannot reach the prototype.
    Object.assign(body, value);
  }
  return { body, files };
}
