/** Transport-neutral error codes; each maps to exactly one HTTP status in transports/http/error-reply.ts. */
export const ERROR_CODES = [
  "invalid_input",
  "validation_failed",
  "unauthenticated",
  "forbidden",
  "not_found",
  "payload_too_large",
  "rate_limited",
  "unavailable",
  "internal",
] as const;

/** One of the closed set of error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** PocketBase's field-level validation codes, defined once. */
export const FIELD_CODES = {
  required: "validation_required",
  notUnique: "validation_not_unique",
  invalidValue: "validation_invalid_value",
  invalidEmail: "validation_invalid_email",
  invalidUrl: "validation_invalid_url",
  invalidDate: "validation_invalid_date",
  invalidNumber: "validation_invalid_number",
  invalidJson: "validation_invalid_json",
  invalidFormat: "validation_invalid_format",
  minLength: "validation_min_text_constraint",
  maxLength: "validation_max_text_constraint",
  min: "validation_min_number_constraint",
  max: "validation_max_number_constraint",
  onlyInt: "validation_only_int_constraint",
  notInValues: "validation_in_invalid",
  tooManyValues: "validation_too_many_values",
  notEnoughValues: "validation_not_enough_values",
  missingRelation: "validation_missing_rel_records",
  valuesMismatch: "validation_values_mismatch",
  invalidPassword: "validation_invalid_password",
  unknownField: "validation_unknown_field",
  collectionRuleInvalid: "validation_invalid_rule",
  invalidName: "validation_invalid_name",
  systemChange: "validation_system_change",
  relationRequired: "validation_relation_required",
  invalidIndex: "validation_invalid_index",
  invalidQuery: "validation_invalid_view_query",
  emptyValue: "validation_nil_or_not_empty_required",
  // record field checks (src/core/records)
  pkChange: "validation_pk_change",
  pkInvalid: "validation_pk_invalid",
  pkForbiddenCharacter: "validation_forbidden_pk_character",
  pkReserved: "validation_reserved_pk",
  notANumber: "validation_not_a_number",
  isEmail: "validation_is_email",
  emailDomainNotAllowed: "validation_email_domain_not_allowed",
  urlDomainNotAllowed: "validation_url_domain_not_allowed",
  contentSizeLimit: "validation_content_size_limit",
  minDate: "validation_min_greater_equal_than_required",
  maxDate: "validation_max_less_equal_than_required",
  jsonSizeLimit: "validation_json_size_limit",
  invalidFile: "validation_invalid_file",
  tooManyFiles: "validation_too_many_files",
  invalidLatitude: "validation_invalid_latitude",
  invalidLongitude: "validation_invalid_longitude",
  missingRelCollection: "validation_missing_rel_collection",
  invalidOldPassword: "validation_invalid_old_password",
} as const;

/** A field validation code. */
export type FieldCode = (typeof FIELD_CODES)[keyof typeof FIELD_CODES] | (string & {});

/** One field's validation problem, in PocketBase's `data` shape. */
export interface FieldError {
  readonly code: FieldCode;
  readonly message: string;
}

/** Field errors keyed by field name; nested objects for nested inputs (e.g. `fields.3.name`). */
export interface FieldErrors {
  readonly [field: string]: FieldError | FieldErrors;
}

/** Options for PlinthError. */
export interface PlinthErrorOptions {
  readonly fields?: FieldErrors;
  readonly cause?: unknown;
}

/** The one error class every layer throws; transports turn it into a response. */
export class PlinthError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldErrors;

  constructor(code: ErrorCode, message: string, options: PlinthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlinthError";
    this.code = code;
    this.fields = options.fields ?? {};
  }
}

/** Shorthand for a 400 with per-field errors. */
export function validationError(
  fields: FieldErrors,
  message = "Failed to validate the submitted data.",
): PlinthError {
  return new PlinthError("validation_failed", message, { fields });
}

/** Shorthand for one field error. */
export function fieldError(code: FieldCode, message: string): FieldError {
  return { code, message };
}

/** Whether a value is a PlinthError (also across module copies). */
export function isPlinthError(err: unknown): err is PlinthError {
  return err instanceof PlinthError;
}
