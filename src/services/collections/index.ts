export { type CollectionService, createCollectionService } from "./collections-service.ts";
