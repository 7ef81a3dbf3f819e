/** Field definitions in PocketBase v0.3x JSON form (the wire format is the model). */

/** Properties every field has. */
export interface FieldCommon {
  readonly id: string;
  readonly name: string;
  readonly system: boolean;
  readonly hidden: boolean;
  readonly presentable: boolean;
  readonly help?: string;
}

export interface TextField extends FieldCommon {
  readonly type: "text";
  readonly min: number;
  readonly max: number;
  readonly pattern: string;
  readonly autogeneratePattern: string;
  readonly required: boolean;
  readonly primaryKey: boolean;
}
export interface NumberField extends FieldCommon {
  readonly type: "number";
  readonly min: number | null;
  readonly max: number | null;
  readonly onlyInt: boolean;
  readonly required: boolean;
}
export interface BoolField extends FieldCommon {
  readonly type: "bool";
  readonly required: boolean;
}
export interface EmailField extends FieldCommon {
  readonly type: "email";
  readonly exceptDomains: readonly string[] | null;
  readonly onlyDomains: readonly string[] | null;
  readonly required: boolean;
}
export interface UrlField extends FieldCommon {
  readonly type: "url";
  readonly exceptDomains: readonly string[] | null;
  readonly onlyDomains: readonly string[] | null;
  readonly required: boolean;
}
export interface EditorField extends FieldCommon {
  readonly type: "editor";
  readonly maxSize: number;
  readonly convertURLs: boolean;
  readonly required: boolean;
}
export interface DateField extends FieldCommon {
  readonly type: "date";
  readonly min: string;
  readonly max: string;
  readonly required: boolean;
}
export interface AutodateField extends FieldCommon {
  readonly type: "autodate";
  readonly onCreate: boolean;
  readonly onUpdate: boolean;
}
export interface SelectField extends FieldCommon {
  readonly type: "select";
  readonly values: readonly string[];
  readonly maxSelect: number;
  readonly required: boolean;
}
export interface JsonField extends FieldCommon {
  readonly type: "json";
  readonly maxSize: number;
  readonly required: boolean;
}
export interface FileField extends FieldCommon {
  readonly type: "file";
  readonly maxSize: number;
  readonly maxSelect: number;
  readonly mimeTypes: readonly string[] | null;
  readonly thumbs: readonly string[] | null;
  readonly protected: boolean;
  readonly required: boolean;
}
export interface RelationField extends FieldCommon {
  readonly type: "relation";
  readonly collectionId: string;
  readonly cascadeDelete: boolean;
  readonly minSelect: number;
  readonly maxSelect: number;
  readonly required: boolean;
}
export interface PasswordField extends FieldCommon {
  readonly type: "password";
  readonly pattern: string;
  readonly min: number;
  readonly max: number;
  readonly cost: number;
  readonly required: boolean;
}
export interface GeoPointField extends FieldCommon {
  readonly type: "geoPoint";
  readonly required: boolean;
}

/** Any field, discriminated by `type`. */
export type Field =
  | TextField
  | NumberField
  | BoolField
  | EmailField
  | UrlField
  | EditorField
  | DateField
  | AutodateField
  | SelectField
  | JsonField
  | FileField
  | RelationField
  | PasswordField
  | GeoPointField;

/** A field type name. */
export type FieldType = Field["type"];

/** Every field type, in the order the dashboard lists them. */
export const FIELD_TYPES: readonly FieldType[] = [
  "text",
  "editor",
  "number",
  "bool",
  "email",
  "url",
  "date",
  "autodate",
  "select",
  "file",
  "relation",
  "json",
  "geoPoint",
  "password",
];

/** Whether the field stores a JSON array (multi-select, multi-file, multi-relation). */
export function isMultiValue(field: Field): boolean {
  switch (field.type) {
    case "select":
    case "file":
    case "relation":
      return field.maxSelect > 1;
    default:
      return false;
  }
}

/** Whether a field's values are JSON in storage (json, geoPoint and multi-value fields). */
export function isJsonStored(field: Field): boolean {
  return field.type === "json" || field.type === "geoPoint" || isMultiValue(field);
}
