/** Collection definitions: model, PocketBase defaults, normalization, validation, import, views, API shape. */
export * from "./api-shape.ts";
export * from "./auth-defaults.ts";
export * from "./collection.ts";
export * from "./field.ts";
export { defaultFieldId, formatPbDate, isFieldType, makeField, normalizeField } from "./field-normalize.ts";
export {
  addField,
  buildFieldsList,
  DEFAULT_ID_PATTERN,
  defaultIdField,
  withSystemFields,
} from "./fields-list.ts";
export * from "./index-definition.ts";
export * from "./normalize-collection.ts";
export * from "./system-collections.ts";
export * from "./view-fields.ts";
export { OAUTH2_PROVIDER_NAMES } from "./validate-auth-options.ts";
export * from "./validate-collection.ts";
export { checkFieldName, validateFieldSettings } from "./validate-field.ts";
export * from "./import-plan.ts";
