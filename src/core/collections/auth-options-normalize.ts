/** Merges an auth-options payload onto a base (defaults or the previous collection), as Go's JSON decoding does. */
import type { AuthOptions, EmailTemplate, TokenConfig } from "./collection.ts";
import type { Issues, JsonObject } from "./input-reader.ts";
import {
  has,
  isObject,
  readBool,
  readInt,
  readNullableString,
  readObject,
  readString,
  readStringList,
} from "./input-reader.ts";

const TOKEN_KEYS = [
  "authToken",
  "passwordResetToken",
  "emailChangeToken",
  "verificationToken",
  "fileToken",
] as const;
const TEMPLATE_KEYS = [
  "verificationTemplate",
  "resetPasswordTemplate",
  "confirmEmailChangeTemplate",
] as const;
const MAPPED_FIELD_KEYS = ["id", "name", "username", "avatarURL"] as const;

/** An OAuth2 provider entry in PocketBase's key order (clientSecret is never sent to clients). */
export type OAuth2Provider = Readonly<{
  pkce: boolean | null;
  name: string;
  clientId: string;
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  displayName: string;
  extra: Readonly<Record<string, unknown>> | null;
}>;

/** Returns `base` with the keys given in `input` applied (nested objects merge; lists replace). */
export function mergeAuthOptions(base: AuthOptions, input: JsonObject, issues: Issues): AuthOptions {
  const obj = (key: string): JsonObject => readObject(input, key, issues, key) ?? {};
  const alert = obj("authAlert");
  const oauth2 = obj("oauth2");
  const pwd = obj("passwordAuth");
  const mfa = obj("mfa");
  const otp = obj("otp");
  const tokens = {} as Record<(typeof TOKEN_KEYS)[number], TokenConfig>;
  for (const key of TOKEN_KEYS) tokens[key] = mergeToken(base[key], obj(key), issues, key);
  const templates = {} as Record<(typeof TEMPLATE_KEYS)[number], EmailTemplate>;
  for (const key of TEMPLATE_KEYS) templates[key] = mergeTemplate(base[key], obj(key), issues, key);
  return {
    authRule: readNullableString(input, "authRule", base.authRule, issues, "authRule"),
    manageRule: readNullableString(input, "manageRule", base.manageRule, issues, "manageRule"),
    authAlert: {
      enabled: readBool(alert, "enabled", base.authAlert.enabled, issues, "authAlert.enabled"),
      emailTemplate: mergeTemplate(
        base.authAlert.emailTemplate,
        readObject(alert, "emailTemplate", issues, "authAlert.emailTemplate") ?? {},
        issues,
        "authAlert.emailTemplate",
      ),
    },
    oauth2: {
      providers: has(oauth2, "providers")
        ? mergeProviders(base.oauth2.providers, oauth2.providers, issues)
        : base.oauth2.providers,
      mappedFields: mergeMappedFields(
        base.oauth2.mappedFields,
        readObject(oauth2, "mappedFields", issues, "oauth2.mappedFields") ?? {},
        issues,
      ),
      enabled: readBool(oauth2, "enabled", base.oauth2.enabled, issues, "oauth2.enabled"),
    },
    passwordAuth: {
      enabled: readBool(pwd, "enabled", base.passwordAuth.enabled, issues, "passwordAuth.enabled"),
      identityFields: readStringList(
        pwd,
        "identityFields",
        base.passwordAuth.identityFields,
        issues,
        "passwordAuth.identityFields",
      ),
    },
    mfa: {
      enabled: readBool(mfa, "enabled", base.mfa.enabled, issues, "mfa.enabled"),
      duration: readInt(mfa, "duration", base.mfa.duration, issues, "mfa.duration"),
      rule: readString(mfa, "rule", base.mfa.rule, issues, "mfa.rule"),
    },
    otp: {
      enabled: readBool(otp, "enabled", base.otp.enabled, issues, "otp.enabled"),
      duration: readInt(otp, "duration", base.otp.duration, issues, "otp.duration"),
      length: readInt(otp, "length", base.otp.length, issues, "otp.length"),
      emailTemplate: mergeTemplate(
        base.otp.emailTemplate,
        readObject(otp, "emailTemplate", issues, "otp.emailTemplate") ?? {},
        issues,
        "otp.emailTemplate",
      ),
    },
    ...tokens,
    ...templates,
  };
}

function mergeToken(base: TokenConfig, input: JsonObject, issues: Issues, path: string): TokenConfig {
  // an absent secret keeps the stored one: clients never see secrets, so they cannot send them back
  return {
    secret: readString(input, "secret", base.secret ?? "", issues, `${path}.secret`),
    duration: readInt(input, "duration", base.duration, issues, `${path}.duration`),
  };
}

function mergeTemplate(base: EmailTemplate, input: JsonObject, issues: Issues, path: string): EmailTemplate {
  return {
    subject: readString(input, "subject", base.subject, issues, `${path}.subject`),
    body: readString(input, "body", base.body, issues, `${path}.body`),
  };
}

function mergeMappedFields(
  base: Readonly<Record<string, string>>,
  input: JsonObject,
  issues: Issues,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of MAPPED_FIELD_KEYS) {
    out[key] = readString(input, key, base[key] ?? "", issues, `oauth2.mappedFields.${key}`);
  }
  return out;
}

function mergeProviders(
  base: readonly Readonly<Record<string, unknown>>[],
  input: unknown,
  issues: Issues,
): OAuth2Provider[] {
  if (input === null) return [];
  if (!Array.isArray(input)) {
    issues.set("oauth2.providers", { code: "validation_invalid_value", message: "Must be a list." });
    return [];
  }
  return input.map((raw: unknown, i) => {
    const path = `oauth2.providers.${i}`;
    if (!isObject(raw)) {
      issues.set(path, { code: "validation_invalid_value", message: "Must be an object." });
      return normalizeProvider({}, undefined, issues, path);
    }
    const name = typeof raw.name === "string" ? raw.name : "";
    // the stored secret follows the provider it belonged to (by name, else by position, as Go's decoder does)
    const previous = base.find((p) => p.name === name) ?? base[i];
    return normalizeProvider(raw, previous, issues, path);
  });
}

/** A full provider entry; an absent or empty clientSecret is taken from `previous`. */
export function normalizeProvider(
  input: JsonObject,
  previous: Readonly<Record<string, unknown>> | undefined,
  issues: Issues,
  path: string,
): OAuth2Provider {
  const s = (key: string): string => readString(input, key, "", issues, `${path}.${key}`);
  const pkce = input.pkce;
  const extra = input.extra;
  let secret = s("clientSecret");
  if (secret === "" && typeof previous?.clientSecret === "string") secret = previous.clientSecret;
  if (pkce !== undefined && pkce !== null && typeof pkce !== "boolean") {
    issues.set(`${path}.pkce`, { code: "validation_invalid_value", message: "Must be a boolean or null." });
  }
  if (extra !== undefined && extra !== null && !isObject(extra)) {
    issues.set(`${path}.extra`, { code: "validation_invalid_value", message: "Must be an object or null." });
  }
  return {
    pkce: typeof pkce === "boolean" ? pkce : null,
    name: s("name"),
    clientId: s("clientId"),
    clientSecret: secret,
    authURL: s("authURL"),
    tokenURL: s("tokenURL"),
    userInfoURL: s("userInfoURL"),
    displayName: s("displayName"),
    extra: isObject(extra) ? extra : null,
  };
}
