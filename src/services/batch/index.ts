export { type BatchAction, matchBatchAction } from "./batch-action.ts";
export { type EmbeddedErrorBody, embeddedErrorBody } from "./batch-error-body.ts";
export { type BatchFiles, type BatchRequest, parseBatchRequests } from "./batch-request.ts";
export {
  type BatchResult,
  type BatchService,
  type BatchServiceDeps,
  createBatchService,
} from "./batch-service.ts";
