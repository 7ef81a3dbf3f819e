export { defaultSettings } from "./settings-defaults.ts";
export { mergeSettings, publicSettings, settingsFromStored } from "./settings-merge.ts";
export {
  createSettingsService,
  SETTINGS_PARAM,
  type SettingsService,
  type SettingsServiceDeps,
} from "./settings-service.ts";
export type {
  BackupsSettings,
  BatchSettings,
  ChannelSettings,
  LogsSettings,
  MetaSettings,
  RateLimitRule,
  RateLimitsSettings,
  RealtimeSettings,
  S3Settings,
  Settings,
  SmtpSettings,
  TrustedProxySettings,
} from "./settings-types.ts";
export { BATCH_LIMITS, validateSettings } from "./settings-validate.ts";
