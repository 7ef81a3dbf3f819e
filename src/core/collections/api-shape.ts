/** The JSON PocketBase's collections API returns: its key order, every field option, no secrets. */
import type { Collection, EmailTemplate, TokenConfig } from "./collection.ts";
import type { Field } from "./field.ts";
import { sortFieldKeys } from "./field-normalize.ts";

const PROVIDER_KEYS = [
  "pkce",
  "name",
  "clientId",
  "authURL",
  "tokenURL",
  "userInfoURL",
  "displayName",
  "extra",
];
const MAPPED_FIELD_KEYS = ["id", "name", "username", "avatarURL"];

/** A field as the API returns it: keys in alphabetical order, `help` present on every type that has it. */
export function toApiField(field: Field): Record<string, unknown> {
  const withHelp = field.type === "autodate" || field.help !== undefined ? field : { ...field, help: "" };
  return sortFieldKeys({ ...withHelp }) as Record<string, unknown>;
}

/** A collection as the API returns it: token secrets and OAuth2 client secrets removed, PocketBase's key order. */
export function toApiCollection(c: Collection): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: c.id,
    listRule: c.listRule,
    viewRule: c.viewRule,
    createRule: c.createRule,
    updateRule: c.updateRule,
    deleteRule: c.deleteRule,
    name: c.name,
    type: c.type,
    fields: c.fields.map(toApiField),
    indexes: [...c.indexes],
    created: c.created,
    updated: c.updated,
    system: c.system,
  };
  switch (c.type) {
    case "base":
      return out;
    case "view":
      out.viewQuery = c.viewQuery;
      return out;
    case "auth":
      return {
        ...out,
        authRule: c.authRule,
        manageRule: c.manageRule,
        authAlert: { enabled: c.authAlert.enabled, emailTemplate: template(c.authAlert.emailTemplate) },
        oauth2: {
          providers: c.oauth2.providers.map((p) => pick(p, PROVIDER_KEYS, null)),
          mappedFields: pick(c.oauth2.mappedFields, MAPPED_FIELD_KEYS, ""),
          enabled: c.oauth2.enabled,
        },
        passwordAuth: { enabled: c.passwordAuth.enabled, identityFields: [...c.passwordAuth.identityFields] },
        mfa: { enabled: c.mfa.enabled, duration: c.mfa.duration, rule: c.mfa.rule },
        otp: {
          enabled: c.otp.enabled,
          duration: c.otp.duration,
          length: c.otp.length,
          emailTemplate: template(c.otp.emailTemplate),
        },
        authToken: token(c.authToken),
        passwordResetToken: token(c.passwordResetToken),
        emailChangeToken: token(c.emailChangeToken),
        verificationToken: token(c.verificationToken),
        fileToken: token(c.fileToken),
        verificationTemplate: template(c.verificationTemplate),
        resetPasswordTemplate: template(c.resetPasswordTemplate),
        confirmEmailChangeTemplate: template(c.confirmEmailChangeTemplate),
      };
    default: {
      const never: never = c;
      throw new Error(`unknown collection type ${String(never)}`);
    }
  }
}

function token(t: TokenConfig): { duration: number } {
  return { duration: t.duration };
}

function template(t: EmailTemplate): EmailTemplate {
  return { subject: t.subject, body: t.body };
}

function pick(src: Readonly<Record<string, unknown>>, keys: readonly string[], missing: unknown) {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = src[key] ?? missing;
  return out;
}
