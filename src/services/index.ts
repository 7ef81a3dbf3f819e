import type { Clock, IdGen } from "../core/clock.ts";
import type { EventHub } from "../core/events.ts";
import type { PasswordHasher, Store, TokenSigner } from "../core/ports.ts";
import { type AuthService, createAuthService } from "./auth/index.ts";
import { type BatchService, createBatchService } from "./batch/index.ts";
import { type CollectionService, createCollectionService } from "./collections/index.ts";
import { createHealthService } from "./health-service.ts";
import { createOpenApiService, type OpenApiService } from "./openapi/index.ts";
import { createRecordService, type RecordService } from "./records/index.ts";
import { createSchemaCache, type SchemaCache } from "./schema-cache.ts";
import { createSettingsService, type SettingsService } from "./settings/index.ts";

export { createEventHub } from "./event-hub.ts";
export type { AuthService, CollectionService, OpenApiService, RecordService, SchemaCache };

/** The ports every service is built from. */
export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly hasher: PasswordHasher;
  readonly signer: TokenSigner;
  readonly events: EventHub;
}

/** Every use case, as transports call them. */
export interface Services {
  readonly schema: SchemaCache;
  readonly records: RecordService;
  readonly auth: AuthService;
  readonly collections: CollectionService;
  readonly settings: SettingsService;
  readonly batch: BatchService;
  readonly health: ReturnType<typeof createHealthService>;
  readonly openapi: OpenApiService;
}

/** Wires the services together over the given ports. */
export function createServices(deps: ServiceDeps): Services {
  const schema = createSchemaCache();
  const records = createRecordService({ ...deps, schema });
  const auth = createAuthService({ ...deps, schema, records });
  const collections = createCollectionService({
    ...deps,
    schema,
    truncateRecords: (c) => records.truncateAll(c),
  });
  const settings = createSettingsService({ store: deps.store, clock: deps.clock });
  const batch = createBatchService({ store: deps.store, records, settings, clock: deps.clock, schema });
  const health = createHealthService({ store: deps.store });
  const openapi = createOpenApiService({ schema });
  return { schema, records, auth, collections, settings, batch, health, openapi };
}
