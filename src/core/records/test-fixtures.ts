/** Field and collection builders for this folder's tests (PocketBase defaults, overridable). */
import type { AuthCollection, BaseCollection } from "../collections/collection.ts";
import type {
  AutodateField,
  BoolField,
  DateField,
  EditorField,
  EmailField,
  Field,
  FileField,
  GeoPointField,
  JsonField,
  NumberField,
  PasswordField,
  RelationField,
  SelectField,
  TextField,
  UrlField,
} from "../collections/field.ts";

const common = (name: string) => ({
  id: `f_${name}`,
  name,
  system: false,
  hidden: false,
  presentable: false,
});

/** A text field. */
export const text = (name: string, o: Partial<TextField> = {}): TextField => ({
  ...common(name),
  type: "text",
  min: 0,
  max: 0,
  pattern: "",
  autogeneratePattern: "",
  required: false,
  primaryKey: false,
  ...o,
});
/** A number field. */
export const num = (name: string, o: Partial<NumberField> = {}): NumberField => ({
  ...common(name),
  type: "number",
  min: null,
  max: null,
  onlyInt: false,
  required: false,
  ...o,
});
/** A bool field. */
export const bool = (name: string, o: Partial<BoolField> = {}): BoolField => ({
  ...common(name),
  type: "bool",
  required: false,
  ...o,
});
/** An email field. */
export const email = (name: string, o: Partial<EmailField> = {}): EmailField => ({
  ...common(name),
  type: "email",
  exceptDomains: null,
  onlyDomains: null,
  required: false,
  ...o,
});
/** A url field. */
export const url = (name: string, o: Partial<UrlField> = {}): UrlField => ({
  ...common(name),
  type: "url",
  exceptDomains: null,
  onlyDomains: null,
  required: false,
  ...o,
});
/** An editor field. */
export const editor = (name: string, o: Partial<EditorField> = {}): EditorField => ({
  ...common(name),
  type: "editor",
  maxSize: 0,
  convertURLs: false,
  required: false,
  ...o,
});
/** A date field. */
export const date = (name: string, o: Partial<DateField> = {}): DateField => ({
  ...common(name),
  type: "date",
  min: "",
  max: "",
  required: false,
  ...o,
});
/** An autodate field. */
export const autodate = (name: string, o: Partial<AutodateField> = {}): AutodateField => ({
  ...common(name),
  type: "autodate",
  onCreate: true,
  onUpdate: false,
  ...o,
});
/** A select field. */
export const select = (name: string, o: Partial<SelectField> = {}): SelectField => ({
  ...common(name),
  type: "select",
  values: ["a", "b", "c"],
  maxSelect: 1,
  required: false,
  ...o,
});
/** A json field. */
export const json = (name: string, o: Partial<JsonField> = {}): JsonField => ({
  ...common(name),
  type: "json",
  maxSize: 0,
  required: false,
  ...o,
});
/** A file field. */
export const file = (name: string, o: Partial<FileField> = {}): FileField => ({
  ...common(name),
  type: "file",
  maxSize: 0,
  maxSelect: 1,
  mimeTypes: null,
  thumbs: null,
  protected: false,
  required: false,
  ...o,
});
/** A relation field. */
export const relation = (name: string, o: Partial<RelationField> = {}): RelationField => ({
  ...common(name),
  type: "relation",
  collectionId: "pbc_target",
  cascadeDelete: false,
  minSelect: 0,
  maxSelect: 1,
  required: false,
  ...o,
});
/** A password field. */
export const password = (name: string, o: Partial<PasswordField> = {}): PasswordField => ({
  ...common(name),
  type: "password",
  pattern: "",
  min: 0,
  max: 0,
  cost: 0,
  required: false,
  ...o,
});
/** A geoPoint field. */
export const geo = (name: string, o: Partial<GeoPointField> = {}): GeoPointField => ({
  ...common(name),
  type: "geoPoint",
  required: false,
  ...o,
});

/** PocketBase's default record id field. */
export const idField = (): TextField =>
  text("id", {
    system: true,
    primaryKey: true,
    required: true,
    min: 15,
    max: 15,
    pattern: "^[a-z0-9]+$",
    autogeneratePattern: "[a-z0-9]{15}",
  });

const collectionCommon = {
  system: false,
  indexes: [],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
  created: "",
  updated: "",
};

/** A base collection with the default id field followed by `fields`. */
export function baseCollection(fields: readonly Field[], name = "posts"): BaseCollection {
  return { ...collectionCommon, id: `pbc_${name}`, name, type: "base", fields: [idField(), ...fields] };
}

const template = { subject: "", body: "" };
const token = { duration: 0 };

/** An auth collection with PocketBase's system fields followed by `fields`. */
export function authCollection(fields: readonly Field[] = [], name = "users"): AuthCollection {
  return {
    ...collectionCommon,
    id: `pbc_${name}`,
    name,
    type: "auth",
    fields: [
      idField(),
      password("password", { system: true, hidden: true, required: true, min: 8 }),
      text("tokenKey", {
        system: true,
        hidden: true,
        required: true,
        min: 30,
        max: 60,
        autogeneratePattern: "[a-zA-Z0-9]{50}",
      }),
      email("email", { system: true, required: true }),
      bool("emailVisibility", { system: true }),
      bool("verified", { system: true }),
      ...fields,
    ],
    authRule: "",
    manageRule: null,
    authAlert: { enabled: false, emailTemplate: template },
    oauth2: { enabled: false, mappedFields: {}, providers: [] },
    passwordAuth: { enabled: true, identityFields: ["email"] },
    mfa: { enabled: false, duration: 0, rule: "" },
    otp: { enabled: false, duration: 0, length: 8, emailTemplate: template },
    authToken: token,
    passwordResetToken: token,
    emailChangeToken: token,
    verificationToken: token,
    fileToken: token,
    verificationTemplate: template,
    resetPasswordTemplate: template,
    confirmEmailChangeTemplate: template,
  };
}
