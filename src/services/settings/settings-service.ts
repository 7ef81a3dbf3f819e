import type { Clock } from "../../core/clock.ts";
import type { EventHub } from "../../core/events.ts";
import { PlinthError } from "../../core/errors.ts";
import type { Store } from "../../core/ports.ts";
import { isSuperuser, type RequestInfo } from "../../core/request-info.ts";
import { defaultSettings } from "./settings-defaults.ts";
import { mergeSettings, publicSettings, settingsFromStored } from "./settings-merge.ts";
import type { Settings } from "./settings-types.ts";
import { validateSettings } from "./settings-validate.ts";

/** What the settings service needs. */
export interface SettingsServiceDeps {
  readonly store: Store;
  /** Accepted so the service is built like its siblings; settings carry no timestamps today. */
  readonly clock?: Clock;
  /** Where a saved change is announced, and a change made elsewhere is heard of. */
  readonly events?: EventHub;
}

/** The `_params` key the settings are stored under (PocketBase's name). */
export const SETTINGS_PARAM = "settings";

/** `GET|PATCH /api/settings` (superusers only) and typed settings for other services. */
export interface SettingsService {
  /** The settings as the API shows them (secrets omitted). */
  get(request: RequestInfo): Promise<Record<string, unknown>>;
  /** Deep-merges `patch` into the stored settings, validates and saves them; returns the new public view. */
  update(request: RequestInfo, patch: unknown): Promise<Record<string, unknown>>;
  /** The current settings, secrets included (cached; never send this to a client). */
  current(): Promise<Settings>;
  /** Forgets the cached copy (after a change made elsewhere, e.g. on another instance). */
  invalidate(): void;
}

/** PocketBase's `RequireSuperuserAuth` answers. */
function requireSuperuser(request: RequestInfo): void {
  if (request.auth === null) {
    throw new PlinthError("unauthenticated", "The request requires valid record authorization token.");
  }
  if (!isSuperuser(request)) {
    throw new PlinthError("forbidden", "The authorized record is not allowed to perform this action.");
  }
}

/** Creates the settings service; settings live in the store's params under `settings`. */
export function createSettingsService(deps: SettingsServiceDeps): SettingsService {
  const { store } = deps;
  // A promise, so concurrent first reads share one load; cleared by invalidate().
  let cached: Promise<Settings> | null = null;
  deps.events?.subscribe((event) => {
    if ((event.kind === "settings" && event.remote) || event.kind === "caches-stale") cached = null;
  });

  function current(): Promise<Settings> {
    if (cached === null) {
      const loading = store
        .getParam(SETTINGS_PARAM)
        .then((stored) => settingsFromStored(defaultSettings(), stored));
      cached = loading;
      // A failed load is not cached: the next call retries.
      loading.catch(() => {
        if (cached === loading) cached = null;
      });
    }
    return cached;
  }

  return {
    async get(request) {
      requireSuperuser(request);
      return publicSettings(await current());
    },

    async update(request, patch) {
      requireSuperuser(request);
      const saved = await store.transaction(async (tx) => {
        // Read inside the transaction, under the lock schema changes take, so two concurrent PATCHes
        // (on any instances) merge one after the other instead of losing or failing on each other.
        await tx.lockSchema();
        const before = settingsFromStored(defaultSettings(), await tx.getParam(SETTINGS_PARAM));
        const next = mergeSettings(before, patch);
        const errors = validateSettings(next);
        if (errors !== null) {
          throw new PlinthError("validation_failed", "An error occurred while saving the new settings.", {
            fields: errors,
          });
        }
        await tx.setParam(SETTINGS_PARAM, next);
        return next;
      });
      // Not `cached = saved`: another instance may have saved after this commit, and its
      // announcement may already have cleared the cache; the next read loads what is stored now.
      cached = null;
      deps.events?.publish({ kind: "settings" });
      return publicSettings(saved);
    },

    current,

    invalidate() {
      cached = null;
    },
  };
}
