import type { Field } from "./field.ts";

/** The three kinds of collection. */
export type CollectionType = "base" | "auth" | "view";

/** An API rule: null = superusers only, "" = anyone, otherwise a filter expression. */
export type Rule = string | null;

/** A token's signing options. */
export interface TokenConfig {
  readonly duration: number;
  /** Never sent to clients. */
  readonly secret?: string;
}

/** An e-mail template. */
export interface EmailTemplate {
  readonly subject: string;
  readonly body: string;
}

/** Options only auth collections have, in PocketBase's JSON shape. */
export interface AuthOptions {
  readonly authRule: Rule;
  readonly manageRule: Rule;
  readonly authAlert: { readonly enabled: boolean; readonly emailTemplate: EmailTemplate };
  readonly oauth2: {
    readonly enabled: boolean;
    readonly mappedFields: Readonly<Record<string, string>>;
    readonly providers: readonly Readonly<Record<string, unknown>>[];
  };
  readonly passwordAuth: { readonly enabled: boolean; readonly identityFields: readonly string[] };
  readonly mfa: { readonly enabled: boolean; readonly duration: number; readonly rule: string };
  readonly otp: {
    readonly enabled: boolean;
    readonly duration: number;
    readonly length: number;
    readonly emailTemplate: EmailTemplate;
  };
  readonly authToken: TokenConfig;
  readonly passwordResetToken: TokenConfig;
  readonly emailChangeToken: TokenConfig;
  readonly verificationToken: TokenConfig;
  readonly fileToken: TokenConfig;
  readonly verificationTemplate: EmailTemplate;
  readonly resetPasswordTemplate: EmailTemplate;
  readonly confirmEmailChangeTemplate: EmailTemplate;
}

/** Properties every collection has. */
interface CollectionCommon {
  readonly id: string;
  readonly name: string;
  readonly system: boolean;
  readonly fields: readonly Field[];
  readonly indexes: readonly string[];
  readonly listRule: Rule;
  readonly viewRule: Rule;
  readonly createRule: Rule;
  readonly updateRule: Rule;
  readonly deleteRule: Rule;
  readonly created: string;
  readonly updated: string;
}

export interface BaseCollection extends CollectionCommon {
  readonly type: "base";
}
export interface AuthCollection extends CollectionCommon, AuthOptions {
  readonly type: "auth";
}
export interface ViewCollection extends CollectionCommon {
  readonly type: "view";
  readonly viewQuery: string;
}

/** A collection definition, discriminated by `type`. This is also its stored and wire form. */
export type Collection = BaseCollection | AuthCollection | ViewCollection;

/** The rule names every collection has. */
export const RULE_NAMES = ["listRule", "viewRule", "createRule", "updateRule", "deleteRule"] as const;
/** One of the five record rules. */
export type RuleName = (typeof RULE_NAMES)[number];

/** Finds a field by name (case-sensitive, as PocketBase). */
export function findField(collection: Collection, name: string): Field | undefined {
  return collection.fields.find((f) => f.name === name);
}
