import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultSettings } from "./settings-defaults.ts";
import { mergeSettings } from "./settings-merge.ts";
import { validateSettings } from "./settings-validate.ts";

const check = (patch: unknown) =>
  validateSettings(mergeSettings(defaultSettings(), patch)) as Record<string, unknown> | null;

describe("validateSettings", () => {
  it("accepts the defaults", () => {
    assert.equal(validateSettings(defaultSettings()), null);
  });

  it("requires meta.appName, a URL appURL and an email senderAddress", () => {
    assert.deepEqual(check({ meta: { appName: "", appURL: "not a url", senderAddress: "nope" } }), {
      meta: {
        appName: { code: "validation_required", message: "Cannot be blank." },
        appURL: { code: "validation_is_url", message: "Must be a valid URL." },
        senderAddress: { code: "validation_is_email", message: "Must be a valid email address." },
      },
    });
  });

  it("accepts URLs with and without a scheme and IP hosts", () => {
    for (const appURL of [
      "https://example.com",
      "example.com/x",
      "http://127.0.0.1:8090",
      "http://[::1]:80",
    ]) {
      assert.equal(check({ meta: { appURL } }), null, appURL);
    }
  });

  it("checks the accent colour length and format", () => {
    assert.deepEqual(check({ meta: { accentColor: "#12" } }), {
      meta: {
        accentColor: {
          code: "validation_length_invalid",
          message: "The length must be exactly 7.",
          params: { min: 7, max: 7 },
        },
      },
    });
  });

  it("bounds batch.maxRequests and batch.timeout", () => {
    assert.deepEqual(check({ batch: { maxRequests: -1, timeout: 100_000, maxBodySize: -5 } }), {
      batch: {
        maxRequests: {
          code: "validation_min_greater_equal_than_required",
          message: "Must be no less than 0.",
          params: { threshold: 0 },
        },
        timeout: {
          code: "validation_max_less_equal_than_required",
          message: "Must be no greater than 60.",
          params: { threshold: 60 },
        },
        maxBodySize: {
          code: "validation_min_greater_equal_than_required",
          message: "Must be no less than 0.",
          params: { threshold: 0 },
        },
      },
    });
  });

  it("requires batch limits only while batch is enabled", () => {
    assert.deepEqual(check({ batch: { maxRequests: 0 } }), {
      batch: { maxRequests: { code: "validation_required", message: "Cannot be blank." } },
    });
    assert.equal(check({ batch: { enabled: false, maxRequests: 0, timeout: 0 } }), null);
  });

  it("rejects negative logs.maxDays", () => {
    assert.deepEqual(Object.keys((check({ logs: { maxDays: -1 } }) as { logs: object }).logs), ["maxDays"]);
  });

  it("requires smtp host and port only when enabled", () => {
    assert.deepEqual(check({ smtp: { enabled: true, host: "", port: 0 } }), {
      smtp: {
        host: { code: "validation_required", message: "Cannot be blank." },
        port: { code: "validation_required", message: "Cannot be blank." },
      },
    });
    assert.deepEqual(check({ smtp: { authMethod: "CRAM" } }), {
      smtp: { authMethod: { code: "validation_in_invalid", message: "Must be a valid value." } },
    });
  });

  it("requires every s3 credential when s3 is enabled, also for backups", () => {
    const errors = check({ s3: { enabled: true }, backups: { s3: { enabled: true, endpoint: "x y" } } });
    assert.deepEqual(Object.keys((errors as { s3: object }).s3).sort(), [
      "accessKey",
      "bucket",
      "endpoint",
      "region",
      "secret",
    ]);
    assert.equal(
      (errors as { backups: { s3: { endpoint: { code: string } } } }).backups.s3.endpoint.code,
      "validation_is_url",
    );
  });

  it("checks the backups cron expression and cronMaxKeep", () => {
    assert.equal(check({ backups: { cron: "0 0 * * *" } }), null);
    assert.equal(check({ backups: { cron: "@daily" } }), null);
    assert.equal(check({ backups: { cron: "*/15 1-5 1,15 * 0-6" } }), null);
    const errors = check({ backups: { cron: "61 * * * *", cronMaxKeep: 0 } }) as {
      backups: Record<string, { code: string }>;
    };
    assert.equal(errors.backups["cron"]!.code, "validation_invalid_cron");
    assert.equal(errors.backups["cronMaxKeep"]!.code, "validation_required");
    assert.equal(
      (check({ backups: { cron: "* * *" } }) as { backups: { cron: { code: string } } }).backups.cron.code,
      "validation_invalid_cron",
    );
  });

  it("validates superuser and excluded IPs as addresses or subnets, keyed by index", () => {
    assert.equal(check({ superuserIPs: ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"] }), null);
    assert.deepEqual(
      check({ superuserIPs: ["127.0.0.1", "", "300.1.1.1"], rateLimits: { excludedIPs: ["x"] } }),
      {
        superuserIPs: {
          "1": { code: "validation_required", message: "Cannot be blank." },
          "2": { code: "validation_invlaid_ip_or_subnet", message: "Invalid IP or CIDR subnet." },
        },
        rateLimits: {
          excludedIPs: {
            "0": { code: "validation_invlaid_ip_or_subnet", message: "Invalid IP or CIDR subnet." },
          },
        },
      },
    );
  });

  it("checks rate limit rule labels, counts and audiences", () => {
    const errors = check({
      rateLimits: {
        rules: [
          { label: "bad label!", maxRequests: 1, duration: 1 },
          { label: "users:create", maxRequests: 0, duration: -1, audience: "@nobody" },
        ],
      },
    });
    assert.deepEqual(errors, {
      rateLimits: {
        rules: {
          "0": { label: { code: "validation_match_invalid", message: "Must be in a valid format." } },
          "1": {
            maxRequests: { code: "validation_required", message: "Cannot be blank." },
            duration: {
              code: "validation_min_greater_equal_than_required",
              message: "Must be no less than 1.",
              params: { threshold: 1 },
            },
            audience: { code: "validation_in_invalid", message: "Must be a valid value." },
          },
        },
      },
    });
  });

  it("reports the first conflicting rate limit label", () => {
    const errors = check({
      rateLimits: {
        rules: [
          { label: "/api/", maxRequests: 1, duration: 1 },
          { label: "/api/", maxRequests: 2, duration: 1 },
        ],
      },
    });
    assert.deepEqual(errors, {
      rateLimits: {
        rules: {
          "1": {
            label: {
              code: "validation_conflicting_rate_limit_rule",
              message:
                "Rate limit rule configuration with label /api/ already exists or conflicts with another rule.",
              params: { label: "/api/" },
            },
          },
        },
      },
    });
  });

  it("requires rate limit rules while rate limiting is enabled", () => {
    assert.deepEqual(check({ rateLimits: { enabled: true, rules: [] } }), {
      rateLimits: { rules: { code: "validation_required", message: "Cannot be blank." } },
    });
  });

  it("rejects trusted proxy header names that are not header tokens", () => {
    assert.equal(check({ trustedProxy: { headers: ["X-Forwarded-For", "CF-Connecting-IP"] } }), null);
    assert.deepEqual(check({ trustedProxy: { headers: ["bad header"] } }), {
      trustedProxy: {
        headers: { "0": { code: "validation_match_invalid", message: "Must be in a valid format." } },
      },
    });
  });
});
