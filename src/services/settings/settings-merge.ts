import { PlinthError } from "../../core/errors.ts";
import type { Settings } from "./settings-types.ts";

/** How one settings value is typed, so a patch can be checked and merged without trusting its shape. */
type Shape =
  | "string"
  /** A rule: a string, or null (superusers only). */
  | "rule"
  | "int"
  | "bool"
  | "strings"
  | { readonly object: ObjectShape }
  | { readonly list: ObjectShape };

interface ObjectShape {
  readonly [key: string]: Shape;
}

const S3: Shape = {
  object: {
    enabled: "bool",
    bucket: "string",
    region: "string",
    endpoint: "string",
    accessKey: "string",
    secret: "string",
    forcePathStyle: "bool",
  },
};

/** Every key PocketBase's settings accept, with its type; anything else in a patch is ignored. */
const SETTINGS_SHAPE: ObjectShape = {
  superuserIPs: "strings",
  smtp: {
    object: {
      enabled: "bool",
      port: "int",
      host: "string",
      username: "string",
      password: "string",
      authMethod: "string",
      tls: "bool",
      localName: "string",
    },
  },
  backups: { object: { cron: "string", cronMaxKeep: "int", s3: S3 } },
  s3: S3,
  meta: {
    object: {
      accentColor: "string",
      appName: "string",
      appURL: "string",
      senderName: "string",
      senderAddress: "string",
      hideControls: "bool",
    },
  },
  rateLimits: {
    object: {
      rules: { list: { label: "string", audience: "string", duration: "int", maxRequests: "int" } },
      excludedIPs: "strings",
      enabled: "bool",
    },
  },
  trustedProxy: { object: { headers: "strings", useLeftmostIP: "bool" } },
  batch: { object: { enabled: "bool", maxRequests: "int", timeout: "int", maxBodySize: "int" } },
  logs: { object: { maxDays: "int", minLevel: "int", logIP: "bool", logAuthId: "bool" } },
  realtime: {
    object: {
      channels: { list: { name: "string", listenRule: "rule", publishRule: "rule", presence: "bool" } },
    },
  },
};

/** Thrown inside the decoder; the caller decides which public error it becomes. */
class ShapeMismatch extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The patch's value for `key`: an exact match first, then a case-insensitive one (as Go's JSON decoding does). */
function pick(input: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(input, key)) return input[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(input)) if (k.toLowerCase() === lower) return input[k];
  return undefined;
}

function zero(shape: Shape): unknown {
  if (shape === "string") return "";
  if (shape === "rule") return null;
  if (shape === "int") return 0;
  if (shape === "bool") return false;
  if (shape === "strings") return [];
  if ("list" in shape) return [];
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(shape.object)) out[k] = zero(s);
  return out;
}

/**
 * Applies `input` over `current` the way PocketBase binds a PATCH onto a clone of its settings:
 * absent keys keep their value, objects merge key by key, arrays are replaced, `null` clears an
 * array and leaves anything else unchanged, and a value of the wrong type is rejected.
 */
function decode(shape: Shape, current: unknown, input: unknown): unknown {
  if (input === undefined) return current;
  if (shape === "rule") {
    if (input !== null && typeof input !== "string") throw new ShapeMismatch();
    return input;
  }
  if (input === null)
    return shape === "strings" || (typeof shape === "object" && "list" in shape) ? [] : current;
  if (shape === "string") {
    if (typeof input !== "string") throw new ShapeMismatch();
    return input;
  }
  if (shape === "int") {
    if (typeof input !== "number" || !Number.isSafeInteger(input)) throw new ShapeMismatch();
    return input;
  }
  if (shape === "bool") {
    if (typeof input !== "boolean") throw new ShapeMismatch();
    return input;
  }
  if (shape === "strings") {
    if (!Array.isArray(input)) throw new ShapeMismatch();
    return input.map((item) => decode("string", "", item));
  }
  if ("list" in shape) {
    if (!Array.isArray(input)) throw new ShapeMismatch();
    const item: Shape = { object: shape.list };
    return input.map((element) => decode(item, zero(item), element));
  }
  if (!isPlainObject(input)) throw new ShapeMismatch();
  const base = isPlainObject(current) ? current : (zero(shape) as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(shape.object)) out[key] = decode(s, base[key], pick(input, key));
  return out;
}

/** The message PocketBase gives when a settings body cannot be bound. */
export const SETTINGS_LOAD_FAILED = "An error occurred while loading the submitted data.";

/** Merges a PATCH body onto the current settings; a non-object body or a mistyped value is a 400. */
export function mergeSettings(current: Settings, patch: unknown): Settings {
  try {
    if (!isPlainObject(patch)) throw new ShapeMismatch();
    // The decoder only produces values of SETTINGS_SHAPE, which mirrors the Settings type.
    return decode({ object: SETTINGS_SHAPE }, current, patch) as Settings;
  } catch (err) {
    if (err instanceof ShapeMismatch) throw new PlinthError("invalid_input", SETTINGS_LOAD_FAILED);
    throw err;
  }
}

/** Reads stored settings over the defaults, so keys added in later versions get their default value. */
export function settingsFromStored(defaults: Settings, stored: unknown): Settings {
  if (stored === undefined || stored === null) return defaults;
  try {
    return decode({ object: SETTINGS_SHAPE }, defaults, stored) as Settings;
  } catch (err) {
    if (err instanceof ShapeMismatch) {
      throw new PlinthError("internal", "The stored settings do not have the expected shape.", {
        cause: err,
      });
    }
    throw err;
  }
}

/** The settings as the API returns them: secrets omitted, as PocketBase's `omitempty` masking does. */
export function publicSettings(settings: Settings): Record<string, unknown> {
  const { password: _password, ...smtp } = settings.smtp;
  const { secret: _s3Secret, ...s3 } = settings.s3;
  const { secret: _backupsSecret, ...backupsS3 } = settings.backups.s3;
  return {
    ...structuredClone(settings),
    smtp,
    backups: { ...settings.backups, s3: backupsS3 },
    s3,
  };
}
