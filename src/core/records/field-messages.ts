/**
 * PocketBase's record field errors: its codes and its messages as the API renders them (parameters
 * filled in, first letter upper-cased, closing period added).
 */
import type { FieldError } from "../errors.ts";
import { FIELD_CODES, fieldError } from "../errors.ts";

/** Builders for every field error a record write can produce. */
export const recordErrors = {
  required: (): FieldError => fieldError(FIELD_CODES.required, "Cannot be blank."),
  minText: (min: number): FieldError =>
    fieldError(FIELD_CODES.minLength, `Must be at least ${min} character(s).`),
  maxText: (max: number): FieldError =>
    fieldError(FIELD_CODES.maxLength, `Must be no more than ${max} character(s).`),
  format: (): FieldError => fieldError(FIELD_CODES.invalidFormat, "Invalid value format."),
  pkChange: (): FieldError => fieldError(FIELD_CODES.pkChange, "The record primary key cannot be changed."),
  pkInvalid: (): FieldError =>
    fieldError(FIELD_CODES.pkInvalid, "The record primary key is invalid or already exists."),
  pkForbiddenChar: (ch: string): FieldError =>
    fieldError(FIELD_CODES.pkForbiddenCharacter, `'${ch}' is not a valid primary key character.`),
  pkReserved: (reserved: string): FieldError =>
    fieldError(FIELD_CODES.pkReserved, `The primary key '${reserved}' is reserved and cannot be used.`),
  notANumber: (): FieldError =>
    fieldError(FIELD_CODES.notANumber, "The submitted number is not properly formatted."),
  onlyInt: (): FieldError => fieldError(FIELD_CODES.onlyInt, "Decimal numbers are not allowed."),
  minNumber: (min: number): FieldError =>
    fieldError(FIELD_CODES.min, `Must be greater or equal than ${min}.`),
  maxNumber: (max: number): FieldError => fieldError(FIELD_CODES.max, `Must be less or equal than ${max}.`),
  email: (): FieldError => fieldError(FIELD_CODES.isEmail, "Must be a valid email address."),
  emailDomain: (): FieldError =>
    fieldError(FIELD_CODES.emailDomainNotAllowed, "Email domain is not allowed."),
  url: (): FieldError => fieldError(FIELD_CODES.invalidUrl, "Must be a valid url."),
  urlDomain: (): FieldError => fieldError(FIELD_CODES.urlDomainNotAllowed, "Url domain is not allowed."),
  contentSize: (maxSize: number): FieldError =>
    fieldError(FIELD_CODES.contentSizeLimit, `The maximum allowed content size is ${maxSize} bytes.`),
  minDate: (threshold: string): FieldError =>
    fieldError(FIELD_CODES.minDate, `Must be no less than ${threshold}.`),
  maxDate: (threshold: string): FieldError =>
    fieldError(FIELD_CODES.maxDate, `Must be no greater than ${threshold}.`),
  tooManyValues: (maxSelect: number): FieldError =>
    fieldError(FIELD_CODES.tooManyValues, `Select no more than ${maxSelect}.`),
  notEnoughValues: (minSelect: number): FieldError =>
    fieldError(FIELD_CODES.notEnoughValues, `Select at least ${minSelect}.`),
  invalidSelectValue: (value: string): FieldError =>
    fieldError(FIELD_CODES.invalidValue, `Invalid value ${value}.`),
  jsonSize: (maxSize: number): FieldError =>
    fieldError(FIELD_CODES.jsonSizeLimit, `The maximum allowed JSON size is ${maxSize} bytes.`),
  json: (): FieldError => fieldError(FIELD_CODES.invalidJson, "Must be a valid json value."),
  invalidFiles: (names: readonly string[]): FieldError =>
    fieldError(FIELD_CODES.invalidFile, `Invalid new files: [${names.join(" ")}].`),
  tooManyFiles: (maxSelect: number): FieldError =>
    fieldError(FIELD_CODES.tooManyFiles, `The maximum allowed files is ${maxSelect}.`),
  minPassword: (min: number): FieldError =>
    fieldError(FIELD_CODES.minLength, `Must be at least ${min} character(s).`),
  maxPassword: (max: number): FieldError =>
    fieldError(FIELD_CODES.maxLength, `Must be less than ${max} character(s).`),
  latitude: (): FieldError =>
    fieldError(FIELD_CODES.invalidLatitude, "Latitude must be between -90 and 90 degrees."),
  longitude: (): FieldError =>
    fieldError(FIELD_CODES.invalidLongitude, "Longitude must be between -180 and 180 degrees."),
  missingRelations: (): FieldError =>
    fieldError(FIELD_CODES.missingRelation, "Failed to find all relation records with the provided ids."),
  missingRelationCollection: (): FieldError =>
    fieldError(FIELD_CODES.missingRelCollection, "Relation connection is missing or cannot be accessed."),
  valuesMismatch: (): FieldError => fieldError(FIELD_CODES.valuesMismatch, "Values don't match."),
  invalidOldPassword: (): FieldError =>
    fieldError(FIELD_CODES.invalidOldPassword, "Missing or invalid old password."),
} as const;
