import type { S3Settings, Settings } from "./settings-types.ts";

const S3_DEFAULTS: S3Settings = {
  enabled: false,
  bucket: "",
  region: "",
  endpoint: "",
  accessKey: "",
  secret: "",
  forcePathStyle: false,
};

/**
 * A fresh installation's settings: PocketBase's defaults, except that batch requests are enabled.
 * PocketBase ships batch disabled; Plinth enables it because its batch is one bounded transaction
 * (at most `maxRequests` requests, abandoned and rolled back after `timeout` seconds), so it cannot
 * hold the database longer than a single bounded request and the SDK's `pb.createBatch()` works out of the box.
 */
export function defaultSettings(): Settings {
  return {
    superuserIPs: [],
    smtp: {
      enabled: false,
      port: 587,
      host: "smtp.example.com",
      username: "",
      password: "",
      authMethod: "",
      tls: false,
      localName: "",
    },
    backups: { cron: "", cronMaxKeep: 3, s3: { ...S3_DEFAULTS } },
    s3: { ...S3_DEFAULTS },
    meta: {
      accentColor: "#1055c9",
      appName: "Acme",
      appURL: "http://localhost:8090",
      senderName: "Support",
      senderAddress: "support@example.com",
      hideControls: false,
    },
    rateLimits: {
      rules: [
        { label: "*:auth", audience: "", duration: 3, maxRequests: 2 },
        { label: "*:create", audience: "", duration: 5, maxRequests: 20 },
        { label: "/api/batch", audience: "", duration: 1, maxRequests: 3 },
        { label: "/api/", audience: "", duration: 10, maxRequests: 300 },
      ],
      excludedIPs: [],
      enabled: false,
    },
    trustedProxy: { headers: [], useLeftmostIP: false },
    batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 },
    logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
    realtime: { channels: [] },
  };
}
