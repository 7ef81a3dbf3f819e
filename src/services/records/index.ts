export {
  createRecordService,
  DEFAULT_PER_PAGE,
  type ListParams,
  type ListResult,
  MAX_PER_PAGE,
  type PendingEvents,
  type RecordService,
  type ShapeParams,
} from "./records-service.ts";
export { decideRule, type RuleDecision, type RuleEnv } from "./record-rules.ts";
