/** One field's value checked against its options, as PocketBase's `ValidateValue` per field type. */
import type {
  DateField,
  EmailField,
  Field,
  FileField,
  JsonField,
  NumberField,
  PasswordField,
  RelationField,
  SelectField,
  TextField,
  UrlField,
} from "../collections/field.ts";
import type { FieldError } from "../errors.ts";
import {
  isPlainObject,
  runeLength,
  toGoBool,
  toGoString,
  toUniqueStringSlice,
  utf8Length,
} from "./coerce.ts";
import { goTimeString, parseDateTimeMs } from "./datetime.ts";
import { recordErrors as E } from "./field-messages.ts";
import { isEmailFormat, isUrlFormat, urlHost } from "./format-checks.ts";
import { toFileNames } from "./prepare-value.ts";

/** PocketBase's default record id pattern; ids matching it skip the stricter primary key checks. */
export const DEFAULT_ID_PATTERN = "^[a-z0-9]+$";

const DEFAULT_TEXT_MAX = 5000;
const DEFAULT_EDITOR_MAX_SIZE = 5 << 20;
const DEFAULT_JSON_MAX_SIZE = 1 << 20;
const DEFAULT_PASSWORD_MAX = 71;
const DEFAULT_FILE_MAX_SELECT = 1;
const FORBIDDEN_PK_CHARS = [
  ".",
  "/",
  "\\",
  "|",
  '"',
  "'",
  "`",
  "<",
  ">",
  ":",
  "?",
  "*",
  "%",
  "$",
  "\0",
  "\t",
  "\n",
  "\r",
  " ",
];
const RESERVED_PKS = [
  "CON",
  "PRN",
  "AUX",
  "NUL",
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`]),
];
const EMPTY_JSON = new Set(["null", '""', "[]", "{}", ""]);

/** What a field check may need beyond the value. */
export interface FieldCheckContext {
  readonly isNew: boolean;
  /** The last saved record (update only). */
  readonly current?: Readonly<Record<string, unknown>>;
  /** New plain passwords by field name (their length and pattern are checked, not the stored hash). */
  readonly plainPasswords?: Readonly<Record<string, string>>;
  /** File names being uploaded with this write (allowed although the saved record lacks them). */
  readonly newFileNames?: readonly string[];
}

/** Go's `regexp.MatchString` on a pattern: an invalid pattern matches nothing. */
function matches(pattern: string, value: string): boolean {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags).test(value);
    } catch {
      // retry without the Unicode flag: it rejects some escapes Go accepts
    }
  }
  return false;
}

/** A text value against min/max/pattern and, for a custom primary key, the file-system-safety rules. */
export function checkPlainText(field: TextField, value: string): FieldError | null {
  if ((field.required || field.primaryKey) && value === "") return E.required();
  if (value === "") return null;
  const length = runeLength(value);
  if (field.min > 0 && length < field.min) return E.minText(field.min);
  const max = field.max === 0 ? DEFAULT_TEXT_MAX : field.max;
  if (max > 0 && length > max) return E.maxText(max);
  if (field.pattern !== "" && !matches(field.pattern, value)) return E.format();
  if (field.primaryKey && field.pattern !== DEFAULT_ID_PATTERN) {
    const ch = FORBIDDEN_PK_CHARS.find((c) => value.includes(c));
    if (ch !== undefined) return E.pkForbiddenChar(ch);
    const reserved = RESERVED_PKS.find((r) => r === value.toUpperCase());
    if (reserved !== undefined) return E.pkReserved(reserved);
  }
  return null;
}

function checkText(field: TextField, value: string, ctx: FieldCheckContext): FieldError | null {
  if (field.primaryKey && !ctx.isNew) {
    const saved = toGoString(ctx.current?.[field.name]);
    if (saved !== value) return E.pkChange();
    // ids saved before (possibly imported) are not re-validated
    if (saved !== "") return null;
  }
  return checkPlainText(field, value);
}

function checkNumber(field: NumberField, value: number): FieldError | null {
  if (!Number.isFinite(value)) return E.notANumber();
  if (value === 0) return field.required ? E.required() : null;
  if (field.onlyInt && !Number.isInteger(value)) return E.onlyInt();
  if (field.min !== null && value < field.min) return E.minNumber(field.min);
  if (field.max !== null && value > field.max) return E.maxNumber(field.max);
  return null;
}

function checkDomains(
  host: string,
  only: readonly string[] | null,
  except: readonly string[] | null,
): boolean {
  if (only && only.length > 0 && !only.includes(host)) return false;
  if (except && except.length > 0 && except.includes(host)) return false;
  return true;
}

function checkEmail(field: EmailField, value: string): FieldError | null {
  if (value === "") return field.required ? E.required() : null;
  if (!isEmailFormat(value)) return E.email();
  const domain = value.slice(value.lastIndexOf("@") + 1);
  return checkDomains(domain, field.onlyDomains, field.exceptDomains) ? null : E.emailDomain();
}

function checkUrl(field: UrlField, value: string): FieldError | null {
  if (value === "") return field.required ? E.required() : null;
  if (!isUrlFormat(value)) return E.url();
  return checkDomains(urlHost(value), field.onlyDomains, field.exceptDomains) ? null : E.urlDomain();
}

function checkDate(field: DateField, value: string): FieldError | null {
  const ms = value === "" ? null : parseDateTimeMs(value);
  if (ms === null) return field.required ? E.required() : null;
  const min = field.min === "" ? null : parseDateTimeMs(field.min);
  if (min !== null && ms < min) return E.minDate(goTimeString(field.min));
  const max = field.max === "" ? null : parseDateTimeMs(field.max);
  if (max !== null && ms > max) return E.maxDate(goTimeString(field.max));
  return null;
}

function checkSelect(field: SelectField, value: unknown): FieldError | null {
  const items = toUniqueStringSlice(value);
  if (items.length === 0) return field.required ? E.required() : null;
  const maxSelect = Math.max(field.maxSelect, 1);
  if (items.length > maxSelect) return E.tooManyValues(maxSelect);
  const invalid = items.find((item) => !field.values.includes(item));
  return invalid === undefined ? null : E.invalidSelectValue(invalid);
}

function checkRelation(field: RelationField, value: unknown): FieldError | null {
  const ids = toUniqueStringSlice(value);
  if (ids.length === 0) return field.required ? E.required() : null;
  if (field.minSelect > 0 && ids.length < field.minSelect) return E.notEnoughValues(field.minSelect);
  const maxSelect = Math.max(field.maxSelect, 1);
  if (ids.length > maxSelect) return E.tooManyValues(maxSelect);
  return null; // existence is checked by the service (relationIdsToCheck)
}

function checkFile(field: FileField, value: unknown, ctx: FieldCheckContext): FieldError | null {
  const names = toFileNames(value);
  if (names.length === 0) return field.required ? E.required() : null;
  const saved = new Set(ctx.isNew ? [] : toFileNames(ctx.current?.[field.name]));
  const uploaded = new Set(ctx.newFileNames ?? []);
  const unknown = names.filter((n) => !saved.has(n) && !uploaded.has(n)).map((n) => n.slice(0, 250));
  if (unknown.length > 0) return E.invalidFiles(unknown);
  const maxSelect = field.maxSelect > 0 ? field.maxSelect : DEFAULT_FILE_MAX_SELECT;
  if (names.length > maxSelect) return E.tooManyFiles(maxSelect);
  return null; // name, size and MIME checks of uploads belong to the files service
}

function checkJson(field: JsonField, value: unknown): FieldError | null {
  let text: string | undefined;
  try {
    text = value === undefined ? "" : JSON.stringify(value);
  } catch {
    return E.json();
  }
  if (text === undefined) return E.json();
  const maxSize = field.maxSize > 0 ? field.maxSize : DEFAULT_JSON_MAX_SIZE;
  if (utf8Length(text) > maxSize) return E.jsonSize(maxSize);
  if (field.required && EMPTY_JSON.has(text.trim())) return E.required();
  return null;
}

function checkPassword(field: PasswordField, stored: string, plain: string): FieldError | null {
  if (field.required && stored === "" && plain === "") return E.required();
  if (plain === "") return null;
  const length = runeLength(plain);
  if (length < field.min) return E.minPassword(field.min);
  const max = field.max > 0 ? field.max : DEFAULT_PASSWORD_MAX;
  if (length > max) return E.maxPassword(max);
  if (field.pattern !== "" && !matches(field.pattern, plain)) return E.format();
  return null;
}

function checkGeoPoint(field: Field & { required: boolean }, value: unknown): FieldError | null {
  const point = isPlainObject(value) ? value : {};
  const lon = typeof point["lon"] === "number" ? point["lon"] : 0;
  const lat = typeof point["lat"] === "number" ? point["lat"] : 0;
  if (lon === 0 && lat === 0) return field.required ? E.required() : null;
  if (lat < -90 || lat > 90) return E.latitude();
  if (lon < -180 || lon > 180) return E.longitude();
  return null;
}

/** Checks one prepared field value; null when it is valid. */
export function validateField(field: Field, value: unknown, ctx: FieldCheckContext): FieldError | null {
  switch (field.type) {
    case "text":
      return checkText(field, toGoString(value), ctx);
    case "number":
      return checkNumber(field, typeof value === "number" ? value : Number.NaN);
    case "bool":
      return field.required && !toGoBool(value) ? E.required() : null;
    case "email":
      return checkEmail(field, toGoString(value));
    case "url":
      return checkUrl(field, toGoString(value));
    case "editor": {
      const text = toGoString(value);
      if (field.required && text === "") return E.required();
      const maxSize = field.maxSize > 0 ? field.maxSize : DEFAULT_EDITOR_MAX_SIZE;
      return utf8Length(text) > maxSize ? E.contentSize(maxSize) : null;
    }
    case "date":
      return checkDate(field, toGoString(value));
    case "autodate":
      return null;
    case "select":
      return checkSelect(field, value);
    case "relation":
      return checkRelation(field, value);
    case "file":
      return checkFile(field, value, ctx);
    case "json":
      return checkJson(field, value);
    case "password":
      return checkPassword(field, toGoString(value), ctx.plainPasswords?.[field.name] ?? "");
    case "geoPoint":
      return checkGeoPoint(field, value);
    default: {
      const never: never = field;
      throw new Error(`unknown field type ${JSON.stringify(never)}`);
    }
  }
}
