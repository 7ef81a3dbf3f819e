/** Validation of an auth collection's options (PocketBase's collectionAuthOptions.validate). */
import type { FieldError, FieldErrors } from "../errors.ts";
import type { AuthCollection, Collection, EmailTemplate, Rule, TokenConfig } from "./collection.ts";
import { findSingleColumnUniqueIndex } from "./index-definition.ts";
import type { RuleResult } from "./pb-rules.ts";
import { first, isUrl, length, max, min, required } from "./pb-rules.ts";

/** OAuth2 provider names PocketBase knows. */
export const OAUTH2_PROVIDER_NAMES = [
  "apple",
  "bitbucket",
  "box",
  "discord",
  "facebook",
  "gitea",
  "gitee",
  "github",
  "gitlab",
  "google",
  "instagram2",
  "kakao",
  "lark",
  "linear",
  "livechat",
  "mailcow",
  "microsoft",
  "monday",
  "notion",
  "oidc",
  "oidc2",
  "oidc3",
  "patreon",
  "planningcenter",
  "spotify",
  "strava",
  "trakt",
  "twitch",
  "twitter",
  "vk",
  "wakatime",
  "yandex",
] as const;

type Mutable = Record<string, FieldError | FieldErrors>;

/** Checks shared with the collection validator: rule syntax and the system-rule lock. */
export type RuleChecker = (key: string, rule: Rule, old: Rule) => RuleResult;

/** Errors of an auth collection's options, keyed like the JSON (e.g. `{ authToken: { secret: … } }`). */
export function validateAuthOptions(
  c: AuthCollection,
  previous: Collection | null,
  checkRule: RuleChecker,
): Mutable {
  const old = previous?.type === "auth" ? previous : null;
  const errors: Mutable = {};
  const put = (key: string, e: FieldError | FieldErrors | null): void => {
    if (e !== null && Object.keys(e).length > 0) errors[key] = e;
  };
  put("authRule", checkRule("authRule", c.authRule, old ? old.authRule : ""));
  put(
    "manageRule",
    first(
      () =>
        c.manageRule === ""
          ? { code: "validation_nil_or_not_empty_required", message: "Cannot be blank." }
          : null,
      () => checkRule("manageRule", c.manageRule, old ? old.manageRule : null),
    ),
  );
  put("authAlert", nested({ emailTemplate: template(c.authAlert.emailTemplate) }));
  put(
    "passwordAuth",
    c.passwordAuth.enabled ? nested({ identityFields: required(c.passwordAuth.identityFields) }) : null,
  );
  put("oauth2", c.oauth2.enabled ? nested({ providers: providers(c.oauth2.providers) }) : null);
  put(
    "otp",
    nested({
      duration: c.otp.enabled
        ? first(
            () => required(c.otp.duration),
            () => min(c.otp.duration, 10),
            () => max(c.otp.duration, 86400),
          )
        : null,
      length: c.otp.enabled
        ? first(
            () => required(c.otp.length),
            () => min(c.otp.length, 4),
          )
        : null,
      emailTemplate: template(c.otp.emailTemplate),
    }),
  );
  put(
    "mfa",
    nested({
      duration: c.mfa.enabled
        ? first(
            () => required(c.mfa.duration),
            () => min(c.mfa.duration, 10),
            () => max(c.mfa.duration, 86400),
          )
        : null,
    }),
  );
  for (const key of [
    "authToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
    "fileToken",
  ] as const) {
    put(key, token(c[key]));
  }
  for (const key of [
    "verificationTemplate",
    "resetPasswordTemplate",
    "confirmEmailChangeTemplate",
  ] as const) {
    const t = c[key];
    put(key, t.subject === "" && t.body === "" ? required("") : template(t));
  }
  if (Object.keys(errors).length > 0) return errors;

  if (c.mfa.enabled) {
    const methods = [c.passwordAuth.enabled, c.oauth2.enabled, c.otp.enabled].filter(Boolean).length;
    if (methods < 2) {
      return {
        mfa: {
          enabled: {
            code: "validation_mfa_not_enough_auths",
            message: "MFA requires at least 2 auth methods to be enabled.",
          },
        },
      };
    }
    if (c.mfa.rule !== "") {
      const e = checkRule("mfa.rule", c.mfa.rule, old ? old.mfa.rule : "");
      if (e !== null) return { mfa: { rule: e } };
    }
  }
  if (c.passwordAuth.enabled) {
    for (const name of new Set(c.passwordAuth.identityFields)) {
      let e: FieldError | null = null;
      if (!c.fields.some((f) => f.name === name)) {
        e = { code: "validation_missing_field", message: `Invalid or missing field ${name}.` };
      } else if (findSingleColumnUniqueIndex(c.indexes, name) === undefined) {
        e = {
          code: "validation_missing_unique_constraint",
          message: `The field ${name} doesn't have a UNIQUE constraint.`,
        };
      }
      if (e !== null) return { passwordAuth: { identityFields: e } };
    }
  }
  return {};
}

function nested(items: Record<string, FieldError | FieldErrors | null>): FieldErrors | null {
  const out: Mutable = {};
  for (const [k, v] of Object.entries(items)) if (v !== null && Object.keys(v).length > 0) out[k] = v;
  return Object.keys(out).length > 0 ? out : null;
}

function template(t: EmailTemplate): FieldErrors | null {
  return nested({ subject: required(t.subject), body: required(t.body) });
}

function token(t: TokenConfig): FieldErrors | null {
  return nested({
    secret: first(
      () => required(t.secret ?? ""),
      () => length(t.secret ?? "", 30, 255),
    ),
    duration: first(
      () => required(t.duration),
      () => min(t.duration, 10),
      () => max(t.duration, 94670856),
    ),
  });
}

function providers(list: readonly Readonly<Record<string, unknown>>[]): FieldErrors | null {
  const seen = new Set<string>();
  for (const [i, p] of list.entries()) {
    const name = typeof p.name === "string" ? p.name : "";
    if (name === "") continue;
    if (seen.has(name)) {
      return {
        [String(i)]: {
          name: {
            code: "validation_duplicated_provider",
            message: `The provider ${name} is already registered.`,
          },
        },
      };
    }
    seen.add(name);
  }
  const out: Mutable = {};
  for (const [i, p] of list.entries()) {
    const s = (k: string): string => (typeof p[k] === "string" ? (p[k] as string) : "");
    const e = nested({
      name: first(
        () => required(s("name")),
        () =>
          (OAUTH2_PROVIDER_NAMES as readonly string[]).includes(s("name"))
            ? null
            : {
                code: "validation_missing_provider",
                message: `Invalid or missing provider with name ${s("name")}.`,
              },
      ),
      clientId: required(s("clientId")),
      clientSecret: required(s("clientSecret")),
      authURL: isUrl(s("authURL")),
      tokenURL: isUrl(s("tokenURL")),
      userInfoURL: isUrl(s("userInfoURL")),
    });
    if (e !== null) out[String(i)] = e;
  }
  return Object.keys(out).length > 0 ? out : null;
}
