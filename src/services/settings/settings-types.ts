/** SMTP mail server (`settings.smtp`); `password` is never returned by the API. */
export interface SmtpSettings {
  readonly enabled: boolean;
  readonly port: number;
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** `PLAIN` (default when empty) or `LOGIN`. */
  readonly authMethod: string;
  readonly tls: boolean;
  readonly localName: string;
}

/** An S3-compatible object store (`settings.s3`, `settings.backups.s3`); `secret` is never returned. */
export interface S3Settings {
  readonly enabled: boolean;
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secret: string;
  readonly forcePathStyle: boolean;
}

/** Automatic backups (`settings.backups`). */
export interface BackupsSettings {
  /** Cron expression; empty disables automatic backups. */
  readonly cron: string;
  readonly cronMaxKeep: number;
  readonly s3: S3Settings;
}

/** Application identity (`settings.meta`). */
export interface MetaSettings {
  readonly accentColor: string;
  readonly appName: string;
  readonly appURL: string;
  readonly senderName: string;
  readonly senderAddress: string;
  readonly hideControls: boolean;
}

/** One rate limit rule (`settings.rateLimits.rules[i]`). */
export interface RateLimitRule {
  /** A tag (`users:create`, `*:auth`), a path (`/api/batch`) or a path prefix ending in `/`. */
  readonly label: string;
  /** `""` (everyone), `@guest` or `@auth`. */
  readonly audience: string;
  /** Window length in seconds. */
  readonly duration: number;
  readonly maxRequests: number;
}

/** Rate limiting (`settings.rateLimits`). */
export interface RateLimitsSettings {
  readonly rules: readonly RateLimitRule[];
  readonly excludedIPs: readonly string[];
  readonly enabled: boolean;
}

/** Which proxy headers carry the client IP (`settings.trustedProxy`). */
export interface TrustedProxySettings {
  readonly headers: readonly string[];
  readonly useLeftmostIP: boolean;
}

/** `POST /api/batch` limits (`settings.batch`). */
export interface BatchSettings {
  readonly enabled: boolean;
  readonly maxRequests: number;
  /** Seconds before the batch transaction is abandoned and rolled back. */
  readonly timeout: number;
  /** Bytes; 0 means the built-in ceiling (128 MiB, as PocketBase). */
  readonly maxBodySize: number;
}

/** Request logs (`settings.logs`). */
export interface LogsSettings {
  readonly maxDays: number;
  readonly minLevel: number;
  readonly logIP: boolean;
  readonly logAuthId: boolean;
}

/** The application settings, in PocketBase's `GET /api/settings` shape and key order. */
export interface Settings {
  readonly superuserIPs: readonly string[];
  readonly smtp: SmtpSettings;
  readonly backups: BackupsSettings;
  readonly s3: S3Settings;
  readonly meta: MetaSettings;
  readonly rateLimits: RateLimitsSettings;
  readonly trustedProxy: TrustedProxySettings;
  readonly batch: BatchSettings;
  readonly logs: LogsSettings;
}
