/**
 * The extra rules PocketBase applies when an auth record is written through the API (its
 * `RecordUpsert` form): who may change `email` and `verified`, and the password/passwordConfirm/
 * oldPassword handshake. These run before field validation and, when they fail, replace it.
 */
import type { FieldError, FieldErrors } from "../errors.ts";
import { toGoBool, toGoString } from "./coerce.ts";
import { recordErrors as E } from "./field-messages.ts";

/** The password-related keys of a submitted auth payload, as strings ("" when absent). */
export interface PasswordInput {
  readonly password: string;
  readonly passwordConfirm: string;
  readonly oldPassword: string;
}

/** Reads `password`, `passwordConfirm` and `oldPassword` from submitted data. */
export function readPasswordInput(input: Readonly<Record<string, unknown>>): PasswordInput {
  return {
    password: toGoString(input["password"]),
    passwordConfirm: toGoString(input["passwordConfirm"]),
    oldPassword: toGoString(input["oldPassword"]),
  };
}

/** What the auth form checks. */
export interface AuthFormCheck {
  readonly isNew: boolean;
  /** Superusers and requesters matching the collection's manageRule. */
  readonly canManage: boolean;
  readonly values: Readonly<Record<string, unknown>>;
  /** The saved record (zero values for a new one). */
  readonly original: Readonly<Record<string, unknown>>;
  readonly passwords: PasswordInput;
}

/** Form errors, and the old password the caller must verify against the saved hash (when required). */
export interface AuthFormResult {
  readonly errors: FieldErrors;
  readonly oldPasswordToVerify?: string;
}

/** Applies PocketBase's auth form rules. */
export function checkAuthForm(check: AuthFormCheck): AuthFormResult {
  const { isNew, canManage, values, original, passwords } = check;
  const { password, passwordConfirm, oldPassword } = passwords;
  const errors: Record<string, FieldError> = {};

  if (!isNew && !canManage && toGoString(values["email"]) !== toGoString(original["email"])) {
    errors["email"] = E.valuesMismatch();
  }
  if (!canManage && toGoBool(values["verified"]) !== toGoBool(original["verified"])) {
    errors["verified"] = E.valuesMismatch();
  }
  if ((isNew || passwordConfirm !== "" || oldPassword !== "") && password === "") {
    errors["password"] = E.required();
  }
  if ((isNew || password !== "" || oldPassword !== "") && passwordConfirm === "") {
    errors["passwordConfirm"] = E.required();
  } else if (passwordConfirm !== password) {
    errors["passwordConfirm"] = E.valuesMismatch();
  }
  let oldPasswordToVerify: string | undefined;
  if (!isNew && !canManage && (password !== "" || passwordConfirm !== "")) {
    if (oldPassword === "") errors["oldPassword"] = E.required();
    else oldPasswordToVerify = oldPassword;
  }
  return oldPasswordToVerify === undefined ? { errors } : { errors, oldPasswordToVerify };
}
