import type { FieldErrors } from "../../core/errors.ts";
import { cronProblem } from "./cron-check.ts";
import type {
  BackupsSettings,
  BatchSettings,
  ChannelSettings,
  LogsSettings,
  MetaSettings,
  RateLimitRule,
  RateLimitsSettings,
  S3Settings,
  Settings,
  SmtpSettings,
  RealtimeSettings,
  TrustedProxySettings,
} from "./settings-types.ts";
import { parseFilter } from "../../core/filter/index.ts";
import {
  fieldIssue,
  isEmail,
  isHexColor,
  isHost,
  isIPOrSubnet,
  isUrl,
  length,
  max,
  min,
  oneOf,
  type ParamFieldError,
  required,
  SETTINGS_CODES,
} from "./value-checks.ts";

/**
 * Plinth's upper bounds for batch requests (PocketBase has none): a batch holds the database's write
 * transaction for its whole run, so both its size and its duration stay bounded.
 */
export const BATCH_LIMITS = { maxRequests: 1000, timeoutSeconds: 60 } as const;

type Issue = ParamFieldError | FieldErrors | undefined;
type Check = () => Issue;

/** Runs each field's rules in order and keeps the first problem of each, as PocketBase does. */
function fields(checks: Record<string, Check[]>): FieldErrors | undefined {
  const out: Record<string, ParamFieldError | FieldErrors> = {};
  for (const [name, list] of Object.entries(checks)) {
    for (const check of list) {
      const issue = check();
      if (issue !== undefined) {
        out[name] = issue;
        break;
      }
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Validates each element, keyed by index. */
function each<T>(items: readonly T[], check: (item: T) => Issue): FieldErrors | undefined {
  const out: Record<string, ParamFieldError | FieldErrors> = {};
  items.forEach((item, i) => {
    const issue = check(item);
    if (issue !== undefined) out[String(i)] = issue;
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

const when = (condition: boolean, check: Check): Check => (condition ? check : () => undefined);
const nonEmpty =
  (value: string, check: (v: string) => boolean, issue: ParamFieldError): Check =>
  () =>
    value !== "" && !check(value) ? issue : undefined;

const INVALID_IP = fieldIssue(SETTINGS_CODES.ipOrSubnet, "Invalid IP or CIDR subnet.");
const INVALID_HOST = fieldIssue(SETTINGS_CODES.host, "Must be a valid IP address or DNS name.");
const INVALID_URL = fieldIssue(SETTINGS_CODES.url, "Must be a valid URL.");
const INVALID_FORMAT = fieldIssue(SETTINGS_CODES.match, "Must be in a valid format.");

function ipList(items: readonly string[]): FieldErrors | undefined {
  return each(items, (ip) => required(ip) ?? (isIPOrSubnet(ip) ? undefined : INVALID_IP));
}

function meta(m: MetaSettings): FieldErrors | undefined {
  return fields({
    accentColor: [
      () => length(m.accentColor, 7, 7),
      nonEmpty(
        m.accentColor,
        isHexColor,
        fieldIssue(SETTINGS_CODES.hexColor, "Must be a valid hex color code."),
      ),
    ],
    appName: [() => required(m.appName), () => length(m.appName, 1, 255)],
    appURL: [() => required(m.appURL), nonEmpty(m.appURL, isUrl, INVALID_URL)],
    senderName: [() => required(m.senderName), () => length(m.senderName, 1, 255)],
    senderAddress: [
      nonEmpty(m.senderAddress, isEmail, fieldIssue(SETTINGS_CODES.email, "Must be a valid email address.")),
      () => required(m.senderAddress),
    ],
  });
}

function logs(l: LogsSettings): FieldErrors | undefined {
  return fields({ maxDays: [() => min(l.maxDays, 0)] });
}

function smtp(s: SmtpSettings): FieldErrors | undefined {
  return fields({
    host: [when(s.enabled, () => required(s.host)), nonEmpty(s.host, isHost, INVALID_HOST)],
    port: [when(s.enabled, () => required(s.port)), () => min(s.port, 0)],
    authMethod: [() => oneOf(s.authMethod, ["LOGIN", "PLAIN"])],
    localName: [nonEmpty(s.localName, isHost, INVALID_HOST)],
  });
}

function s3(s: S3Settings): FieldErrors | undefined {
  return fields({
    endpoint: [nonEmpty(s.endpoint, isUrl, INVALID_URL), when(s.enabled, () => required(s.endpoint))],
    bucket: [when(s.enabled, () => required(s.bucket))],
    region: [when(s.enabled, () => required(s.region))],
    accessKey: [when(s.enabled, () => required(s.accessKey))],
    secret: [when(s.enabled, () => required(s.secret))],
  });
}

function backups(b: BackupsSettings): FieldErrors | undefined {
  return fields({
    s3: [() => s3(b.s3)],
    cron: [
      () => {
        const problem = b.cron === "" ? null : cronProblem(b.cron);
        return problem === null ? undefined : fieldIssue(SETTINGS_CODES.cron, problem);
      },
    ],
    cronMaxKeep: [when(b.cron !== "", () => required(b.cronMaxKeep)), () => min(b.cronMaxKeep, 1)],
  });
}

function batch(b: BatchSettings): FieldErrors | undefined {
  return fields({
    maxRequests: [
      when(b.enabled, () => required(b.maxRequests)),
      () => min(b.maxRequests, 0),
      () => max(b.maxRequests, BATCH_LIMITS.maxRequests),
    ],
    timeout: [
      when(b.enabled, () => required(b.timeout)),
      () => min(b.timeout, 0),
      () => max(b.timeout, BATCH_LIMITS.timeoutSeconds),
    ],
    maxBodySize: [() => min(b.maxBodySize, 0)],
  });
}

const RATE_LIMIT_LABEL = /^(\w+ \/[\w/-]*|\/[\w/-]*|\w+:\w+|\*:\w+|\w+)$/;

function rateLimitRule(r: RateLimitRule): FieldErrors | undefined {
  return fields({
    label: [() => required(r.label), () => (RATE_LIMIT_LABEL.test(r.label) ? undefined : INVALID_FORMAT)],
    maxRequests: [() => required(r.maxRequests), () => min(r.maxRequests, 1)],
    duration: [() => required(r.duration), () => min(r.duration, 1)],
    audience: [() => oneOf(r.audience, ["@guest", "@auth"])],
  });
}

/** The first rule whose label+audience equals or prefixes an earlier one's (or the reverse) conflicts. */
function conflictingRule(rules: readonly RateLimitRule[]): FieldErrors | undefined {
  const seen: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const key = `${rule.label}@@${rule.audience}`;
    if (seen.some((k) => k.startsWith(key) || key.startsWith(k))) {
      const message = `Rate limit rule configuration with label ${rule.label} already exists or conflicts with another rule.`;
      return {
        [String(i)]: { label: fieldIssue(SETTINGS_CODES.rateLimitConflict, message, { label: rule.label }) },
      };
    }
    seen.push(key);
  }
  return undefined;
}

function rateLimits(r: RateLimitsSettings): FieldErrors | undefined {
  return fields({
    rules: [
      when(r.enabled, () => required(r.rules)),
      () => conflictingRule(r.rules),
      () => each(r.rules, rateLimitRule),
    ],
    excludedIPs: [() => ipList(r.excludedIPs)],
  });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** PocketBase leaves these unchecked; a name that is not a valid header token could never match, so say so. */
function trustedProxy(t: TrustedProxySettings): FieldErrors | undefined {
  return fields({
    headers: [
      () => each(t.headers, (h) => required(h) ?? (HEADER_NAME.test(h) ? undefined : INVALID_FORMAT)),
    ],
  });
}

/** Channel names: up to 8 `/`-separated segments, each a name or `*`. */
const CHANNEL_NAME = /^(\*|[A-Za-z0-9_.:-]{1,64})(\/(\*|[A-Za-z0-9_.:-]{1,64})){0,7}$/;
export const MAX_CHANNELS = 100;

function channelRule(rule: string | null): Issue {
  if (rule === null || rule.trim() === "") return undefined;
  try {
    parseFilter(rule);
    return undefined;
  } catch (err) {
    return fieldIssue(SETTINGS_CODES.match, `Invalid rule: ${(err as Error).message}`);
  }
}

function realtime(r: RealtimeSettings): FieldErrors | undefined {
  return fields({
    channels: [
      () => max(r.channels.length, MAX_CHANNELS),
      () =>
        each(r.channels, (c: ChannelSettings) =>
          fields({
            name: [
              () => required(c.name),
              () => (CHANNEL_NAME.test(c.name) ? undefined : INVALID_FORMAT),
              () =>
                r.channels.filter((other) => other.name === c.name).length > 1
                  ? fieldIssue(SETTINGS_CODES.match, "Each channel name must be unique.")
                  : undefined,
            ],
            listenRule: [() => channelRule(c.listenRule)],
            publishRule: [() => channelRule(c.publishRule)],
          }),
        ),
    ],
  });
}

/** Validates merged settings the way PocketBase does before saving; returns nested field errors, or null. */
export function validateSettings(s: Settings): FieldErrors | null {
  const errors = fields({
    superuserIPs: [() => ipList(s.superuserIPs)],
    meta: [() => meta(s.meta)],
    logs: [() => logs(s.logs)],
    smtp: [() => smtp(s.smtp)],
    s3: [() => s3(s.s3)],
    backups: [() => backups(s.backups)],
    batch: [() => batch(s.batch)],
    rateLimits: [() => rateLimits(s.rateLimits)],
    trustedProxy: [() => trustedProxy(s.trustedProxy)],
    realtime: [() => realtime(s.realtime)],
  });
  return errors ?? null;
}
