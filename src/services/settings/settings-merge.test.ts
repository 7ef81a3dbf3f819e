import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PlinthError } from "../../core/errors.ts";
import { defaultSettings } from "./settings-defaults.ts";
import { mergeSettings, publicSettings, settingsFromStored } from "./settings-merge.ts";

describe("mergeSettings", () => {
  it("merges nested objects key by key and keeps absent keys", () => {
    const next = mergeSettings(defaultSettings(), { meta: { appName: "Blog" } });
    assert.equal(next.meta.appName, "Blog");
    assert.equal(next.meta.appURL, "http://localhost:8090");
    assert.equal(next.smtp.port, 587);
  });

  it("ignores unknown keys at every level", () => {
    const next = mergeSettings(defaultSettings(), { nope: 1, meta: { nope: 2 } }) as unknown as Record<
      string,
      unknown
    >;
    assert.equal(next["nope"], undefined);
    assert.equal((next["meta"] as Record<string, unknown>)["nope"], undefined);
  });

  it("replaces arrays instead of merging them", () => {
    const next = mergeSettings(defaultSettings(), {
      rateLimits: { rules: [{ label: "/api/", maxRequests: 5, duration: 1 }] },
    });
    assert.deepEqual(next.rateLimits.rules, [{ label: "/api/", audience: "", duration: 1, maxRequests: 5 }]);
  });

  it("clears an array on null and leaves scalars unchanged on null", () => {
    const next = mergeSettings(defaultSettings(), { rateLimits: { rules: null }, meta: { appName: null } });
    assert.deepEqual(next.rateLimits.rules, []);
    assert.equal(next.meta.appName, "Acme");
  });

  it("matches keys case-insensitively when there is no exact match", () => {
    assert.equal(mergeSettings(defaultSettings(), { META: { APPNAME: "X" } }).meta.appName, "X");
  });

  it("rejects a mistyped value with PocketBase's load error", () => {
    for (const patch of [{ meta: { appName: 1 } }, { batch: { maxRequests: 1.5 } }, { smtp: "x" }, [], "x"]) {
      assert.throws(
        () => mergeSettings(defaultSettings(), patch),
        (err: unknown) =>
          err instanceof PlinthError &&
          err.code === "invalid_input" &&
          err.message === "An error occurred while loading the submitted data.",
      );
    }
  });

  it("does not change the settings it merges onto", () => {
    const before = defaultSettings();
    mergeSettings(before, { meta: { appName: "Other" }, trustedProxy: { headers: ["X-Real-IP"] } });
    assert.deepEqual(before, defaultSettings());
  });
});

describe("settingsFromStored", () => {
  it("fills keys missing from an older stored value with defaults", () => {
    const s = settingsFromStored(defaultSettings(), { meta: { appName: "Stored" } });
    assert.equal(s.meta.appName, "Stored");
    assert.deepEqual(s.batch, { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 });
  });
});

describe("publicSettings", () => {
  it("omits the three secrets and keeps everything else", () => {
    const s = mergeSettings(defaultSettings(), {
      smtp: { password: "p" },
      s3: { secret: "s" },
      backups: { s3: { secret: "b" } },
    });
    const out = publicSettings(s) as {
      smtp: Record<string, unknown>;
      s3: Record<string, unknown>;
      backups: { s3: Record<string, unknown> };
    };
    assert.equal("password" in out.smtp, false);
    assert.equal("secret" in out.s3, false);
    assert.equal("secret" in out.backups.s3, false);
    assert.equal(out.smtp["host"], "smtp.example.com");
    assert.deepEqual(Object.keys(out), [
      "superuserIPs",
      "smtp",
      "backups",
      "s3",
      "meta",
      "rateLimits",
      "trustedProxy",
      "batch",
      "logs",
      "realtime",
    ]);
  });
});
