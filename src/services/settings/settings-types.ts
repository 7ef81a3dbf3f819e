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

/**
 * A realtime broadcast channel, or a family of them (`*` matches one path segment), and who may use
 * it. Rules are PocketBase rules evaluated against the caller's own auth record (null: superusers
 * only; "": anyone, guests included; any other rule needs an authenticated caller), with the channel's
 * name as `@request.query.channel` and its `*` segments as `@request.query.param1`, `param2`, ….
 */
export interface ChannelSettings {
  readonly name: string;
  /** Who may subscribe to the channel (and see its presence). */
  readonly listenRule: string | null;
  /** Who may broadcast on it (and join its presence). */
  readonly publishRule: string | null;
  /** Whether the channel keeps presence (who is in it, with their state). */
  readonly presence: boolean;
}

/** Plinth's realtime settings (`settings.realtime`; PocketBase has none). */
export interface RealtimeSettings {
  readonly channels: readonly ChannelSettings[];
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
  readonly realtime: RealtimeSettings;
}
