/** Narrows a planImport result in tests. */
import type { FieldErrors } from "../errors.ts";
import type { ImportPlan } from "./import-plan.ts";

export function importPlanOrThrow(result: ImportPlan | FieldErrors): ImportPlan {
  if (!("upserts" in result)) throw new Error(`unexpected errors ${JSON.stringify(result)}`);
  return result as ImportPlan;
}
