import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSqliteStore } from "../../adapters/store/sqlite/index.ts";
import { PlinthError } from "../../core/errors.ts";
import type { Store } from "../../core/ports.ts";
import { guestRequest, type RequestInfo } from "../../core/request-info.ts";
import { createSettingsService, SETTINGS_PARAM } from "./settings-service.ts";

const auth = (collectionName: string): RequestInfo =>
  guestRequest({ auth: { collectionId: `pbc_${collectionName}`, collectionName, record: { id: "a1" } } });
const superuser = auth("_superusers");

const rejectsWith = (code: string, message: string) => (err: unknown) =>
  err instanceof PlinthError && err.code === code && err.message === message;

describe("settings service", () => {
  let store: Store;
  before(async () => {
    store = createSqliteStore({ path: ":memory:", synchronous: "NORMAL" });
    await store.init();
  });
  after(() => store.close());

  it("answers a guest with 401 and a regular user with 403", async () => {
    const settings = createSettingsService({ store });
    await assert.rejects(
      settings.get(guestRequest()),
      rejectsWith("unauthenticated", "The request requires valid record authorization token."),
    );
    await assert.rejects(
      settings.update(auth("users"), {}),
      rejectsWith("forbidden", "The authorized record is not allowed to perform this action."),
    );
  });

  it("returns the defaults, with batch enabled, before anything is saved", async () => {
    const settings = createSettingsService({ store });
    const out = (await settings.get(superuser)) as { batch: unknown; meta: { appName: string } };
    assert.deepEqual(out.batch, { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 });
    assert.equal(out.meta.appName, "Acme");
  });

  it("saves a patch, keeps omitted secrets and never returns them", async () => {
    const settings = createSettingsService({ store });
    await settings.update(superuser, { smtp: { password: "hunter2" }, s3: { secret: "s3cret" } });
    const out = (await settings.update(superuser, {
      meta: { appName: "Blog" },
      smtp: { host: "mail.test" },
    })) as {
      smtp: Record<string, unknown>;
      meta: { appName: string };
    };
    assert.equal(out.meta.appName, "Blog");
    assert.equal("password" in out.smtp, false);
    const stored = (await store.getParam(SETTINGS_PARAM)) as {
      smtp: { password: string; host: string };
      s3: { secret: string };
    };
    assert.equal(stored.smtp.password, "hunter2");
    assert.equal(stored.smtp.host, "mail.test");
    assert.equal(stored.s3.secret, "s3cret");
    assert.equal((await settings.current()).smtp.password, "hunter2");
  });

  it("rejects invalid settings with nested field errors and saves nothing", async () => {
    const settings = createSettingsService({ store });
    const before = await store.getParam(SETTINGS_PARAM);
    await assert.rejects(settings.update(superuser, { meta: { appName: "" } }), (err: unknown) => {
      assert.ok(err instanceof PlinthError);
      assert.equal(err.code, "validation_failed");
      assert.equal(err.message, "An error occurred while saving the new settings.");
      assert.deepEqual(err.fields, {
        meta: { appName: { code: "validation_required", message: "Cannot be blank." } },
      });
      return true;
    });
    assert.deepEqual(await store.getParam(SETTINGS_PARAM), before);
  });

  it("serves current() from its cache until invalidated", async () => {
    const settings = createSettingsService({ store });
    const first = await settings.current();
    await store.transaction((tx) =>
      tx.setParam(SETTINGS_PARAM, { ...first, meta: { ...first.meta, appName: "Elsewhere" } }),
    );
    assert.equal((await settings.current()).meta.appName, first.meta.appName);
    settings.invalidate();
    assert.equal((await settings.current()).meta.appName, "Elsewhere");
  });
});
