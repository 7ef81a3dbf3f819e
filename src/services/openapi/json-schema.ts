/** Renders value shapes and fields as OpenAPI 3.1 (JSON Schema 2020-12) schema objects. */
import type { Field } from "../../core/collections/field.ts";
import { isMultiValue } from "../../core/collections/field.ts";
import type { ValueShape } from "./field-shape.ts";

/** A JSON Schema object as plain data. */
export type SchemaObject = { [key: string]: unknown };

/** A `$ref` to a component schema. */
export function ref(name: string): SchemaObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** The JSON Schema of a value shape. */
export function shapeSchema(shape: ValueShape): SchemaObject {
  switch (shape.kind) {
    case "string":
      if (shape.format === "email" || shape.format === "uri") return { type: "string", format: shape.format };
      // PocketBase datetimes ("2024-01-02 15:04:05.000Z") are not RFC 3339 date-time strings, and may be ""
      if (shape.format === "datetime") return { type: "string", examples: ["2024-01-02 15:04:05.000Z"] };
      if (shape.format === "html") return { type: "string", contentMediaType: "text/html" };
      return { type: "string" };
    case "number":
      return { type: shape.integer ? "integer" : "number" };
    case "boolean":
      return { type: "boolean" };
    case "enum":
      return { type: "string", enum: [...shape.values] };
    case "array":
      return { type: "array", items: shapeSchema(shape.items) };
    case "json":
      return {};
    case "geoPoint":
      return {
        type: "object",
        properties: { lon: { type: "number" }, lat: { type: "number" } },
        required: ["lon", "lat"],
      };
    default: {
      const never: never = shape;
      throw new Error(`unhandled shape ${(never as ValueShape).kind}`);
    }
  }
}

/** Validation keywords a write body honours for a field (lengths, bounds, patterns, counts). */
export function writeConstraints(field: Field): SchemaObject {
  const out: SchemaObject = {};
  switch (field.type) {
    case "text":
      if (field.min > 0) out["minLength"] = field.min;
      if (field.max > 0) out["maxLength"] = field.max;
      if (field.pattern !== "") out["pattern"] = field.pattern;
      break;
    case "password":
      if (field.min > 0) out["minLength"] = field.min;
      if (field.max > 0) out["maxLength"] = field.max;
      break;
    case "number":
      if (field.min !== null) out["minimum"] = field.min;
      if (field.max !== null) out["maximum"] = field.max;
      break;
    case "select":
    case "file":
      if (isMultiValue(field)) out["maxItems"] = field.maxSelect;
      break;
    case "relation":
      if (isMultiValue(field)) {
        out["maxItems"] = field.maxSelect;
        if (field.minSelect > 0) out["minItems"] = field.minSelect;
      }
      break;
    default:
      break;
  }
  return out;
}
