/** Narrows a planImport result in tests. */
import type { ImportFailure, ImportPlan } from "./import-plan.ts";

export function importPlanOrThrow(result: ImportPlan | ImportFailure): ImportPlan {
  if (!("upserts" in result)) throw new Error(`unexpected errors ${JSON.stringify(result)}`);
  return result;
}
