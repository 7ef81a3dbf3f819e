import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

/** Everything Plinth reads from its environment, validated and frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Data directory (SQLite file, later local files). */
  readonly dir: string;
  /** Pretty, human-readable logs instead of JSON lines. */
  readonly dev: boolean;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Allowed CORS origins; "*" allows any. */
  readonly corsOrigins: readonly string[] | "*";
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  /** SQLite durability: NORMAL survives a killed process, FULL also a power cut. */
  readonly synchronous: "NORMAL" | "FULL";
  /** Milliseconds SIGTERM waits for in-flight requests. */
  readonly shutdownTimeoutMs: number;
  /** PostgreSQL connection URL; undefined runs on the embedded SQLite file in `dir`. */
  readonly db: string | undefined;
  /** Redis URL for the cross-instance bus; undefined uses PostgreSQL LISTEN/NOTIFY (or IPC on SQLite). */
  readonly redis: string | undefined;
  /** Server processes sharing the port (`--workers N|auto`); 1 runs in this process. */
  readonly workers: number;
  /** PostgreSQL only: most database connections one server process holds. */
  readonly dbPoolSize: number;
  /** PostgreSQL only: how long a request waits for a connection (or to connect) before a 503 (ms). */
  readonly dbAcquireTimeoutMs: number;
  /** PostgreSQL only: longest one SQL statement may run, waiting for locks included, before a 503 (ms). */
  readonly dbStatementTimeoutMs: number;
  /** How long realtime keeps events for clients that reconnect (ms). */
  readonly realtimeReplayWindowMs: number;
  /** Most events realtime keeps, and replays to one reconnecting client. */
  readonly realtimeReplayMaxEvents: number;
  /** Most realtime connections (SSE and WebSocket together) from one client address. */
  readonly realtimeMaxConnectionsPerIp: number;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, e.g. 127.0.0.1,10.0.0.0/8):
   * behind one, every client would otherwise share the proxy's address. Empty: none.
   */
  readonly trustedProxies: readonly string[];
}

/** A setting that could not be used, named so start-up can print one clear line. */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = "ConfigError";
    this.setting = setting;
  }
}

/** The defaults a fresh `npm start` uses. */
export const DEFAULT_CONFIG: Config = Object.freeze({
  host: "127.0.0.1",
  port: 8090,
  dir: resolve("plinth_data"),
  dev: false,
  logLevel: "info",
  corsOrigins: "*",
  bodyLimit: 32 * 1024 * 1024,
  synchronous: "NORMAL",
  shutdownTimeoutMs: 10_000,
  db: undefined,
  redis: undefined,
  workers: 1,
  dbPoolSize: 10,
  dbAcquireTimeoutMs: 5_000,
  dbStatementTimeoutMs: 30_000,
  realtimeReplayWindowMs: 5 * 60_000,
  realtimeReplayMaxEvents: 100_000,
  realtimeMaxConnectionsPerIp: 100,
  trustedProxies: Object.freeze([]),
});

const OPTIONS = {
  http: { type: "string" },
  dir: { type: "string" },
  dev: { type: "boolean" },
  "log-level": { type: "string" },
  origins: { type: "string" },
  "body-limit": { type: "string" },
  synchronous: { type: "string" },
  "shutdown-timeout": { type: "string" },
  db: { type: "string" },
  redis: { type: "string" },
  workers: { type: "string" },
  "db-pool-size": { type: "string" },
  "db-acquire-timeout": { type: "string" },
  "db-statement-timeout": { type: "string" },
  "realtime-replay-window": { type: "string" },
  "realtime-replay-max-events": { type: "string" },
  "realtime-max-connections-per-ip": { type: "string" },
  "trusted-proxies": { type: "string" },
} as const;

const MAX_WORKERS = 256;
// PostgreSQL's own default max_connections is 100; more than this per process is a typo, not a plan.
const MAX_DB_POOL_SIZE = 1_000;

function parseUrl(setting: string, value: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `expected a ${schemes[0]}//… URL`);
  }
  if (!schemes.includes(url.protocol))
    throw new ConfigError(
      setting,
      `expected a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}`,
    );
  return value;
}

function parseWorkers(setting: string, value: string): number {
  if (value === "auto") return availableParallelism();
  const n = parsePositiveInt(setting, value);
  if (n > MAX_WORKERS) throw new ConfigError(setting, `at most ${MAX_WORKERS} workers, got ${n}`);
  return n;
}

function parsePoolSize(setting: string, value: string): number {
  const n = parsePositiveInt(setting, value);
  if (n > MAX_DB_POOL_SIZE)
    throw new ConfigError(setting, `at most ${MAX_DB_POOL_SIZE} connections, got ${n}`);
  return n;
}

// Node's timers and PostgreSQL's statement_timeout both hold a signed 32-bit count of milliseconds.
const MAX_TIMEOUT_MS = 2_147_483_647;

function parseTimeoutMs(setting: string, value: string): number {
  const n = parsePositiveInt(setting, value);
  if (n > MAX_TIMEOUT_MS) throw new ConfigError(setting, `at most ${MAX_TIMEOUT_MS} ms, got ${n}`);
  return n;
}

function parseSeconds(setting: string, value: string): number {
  const n = parsePositiveInt(setting, value);
  if (n * 1000 > MAX_TIMEOUT_MS)
    throw new ConfigError(setting, `at most ${MAX_TIMEOUT_MS / 1000} s, got ${n}`);
  return n * 1000;
}

const MAX_REPLAY_EVENTS = 10_000_000;

function parseBounded(setting: string, value: string, max: number): number {
  const n = parsePositiveInt(setting, value);
  if (n > max) throw new ConfigError(setting, `at most ${max}, got ${n}`);
  return n;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Addresses and CIDR ranges, checked so a typo fails at start, not as a silently ignored proxy. */
function parseProxies(setting: string, value: string): readonly string[] {
  const out = value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of out) {
    const [address = "", bits, ...rest] = entry.split("/");
    const v4 = IPV4.exec(address);
    const okAddress = v4
      ? v4.slice(1).every((o) => Number(o) <= 255)
      : /^[0-9a-f:]+$/i.test(address) && address.includes(":");
    const max = v4 ? 32 : 128;
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!okAddress || !okBits || rest.length > 0)
      throw new ConfigError(setting, `expected IP addresses or CIDR ranges, got "${entry}"`);
  }
  return Object.freeze(out);
}

function parseHttp(setting: string, value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  if (m === null) throw new ConfigError(setting, `expected host:port, got "${value}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(setting, `port ${port} is out of range`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

function parseBool(setting: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(setting, `expected true or false, got "${value}"`);
}

function parsePositiveInt(setting: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new ConfigError(setting, `expected a positive integer, got "${value}"`);
  return Number(value);
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Reads flags first, then `PLINTH_*` environment variables, then defaults.
 * Returns the remaining positional arguments too.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const m = /'(--?[\w-]+)/.exec(String((err as Error).message));
    throw new ConfigError(m?.[1] ?? "arguments", (err as Error).message.replace(/\. To specify.*$/s, ""));
  }
  const v = parsed.values;
  const pick = (
    flag: keyof typeof OPTIONS,
    envName: string,
  ): { setting: string; value: string } | undefined => {
    const fromFlag = v[flag];
    if (typeof fromFlag === "string") return { setting: `--${flag}`, value: fromFlag };
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== "") return { setting: envName, value: fromEnv };
    return undefined;
  };

  const http = pick("http", "PLINTH_HTTP");
  const { host, port } = http ? parseHttp(http.setting, http.value) : DEFAULT_CONFIG;
  const dir = pick("dir", "PLINTH_DIR");
  const devEnv = env["PLINTH_DEV"];
  const dev = v.dev === true || (devEnv !== undefined && devEnv !== "" && parseBool("PLINTH_DEV", devEnv));
  const level = pick("log-level", "PLINTH_LOG_LEVEL");
  if (level && !(LOG_LEVELS as readonly string[]).includes(level.value)) {
    throw new ConfigError(level.setting, `expected one of ${LOG_LEVELS.join(", ")}, got "${level.value}"`);
  }
  const origins = pick("origins", "PLINTH_ORIGINS");
  const bodyLimit = pick("body-limit", "PLINTH_BODY_LIMIT");
  const sync = pick("synchronous", "PLINTH_SYNCHRONOUS");
  if (sync && !/^(NORMAL|FULL)$/i.test(sync.value)) {
    throw new ConfigError(sync.setting, `expected NORMAL or FULL, got "${sync.value}"`);
  }
  const shutdown = pick("shutdown-timeout", "PLINTH_SHUTDOWN_TIMEOUT");
  const db = pick("db", "PLINTH_DB");
  const redis = pick("redis", "PLINTH_REDIS");
  const workers = pick("workers", "PLINTH_WORKERS");
  const poolSize = pick("db-pool-size", "PLINTH_DB_POOL_SIZE");
  const acquireTimeout = pick("db-acquire-timeout", "PLINTH_DB_ACQUIRE_TIMEOUT_MS");
  const statementTimeout = pick("db-statement-timeout", "PLINTH_DB_STATEMENT_TIMEOUT_MS");
  const replayWindow = pick("realtime-replay-window", "PLINTH_REALTIME_REPLAY_WINDOW");
  const replayMax = pick("realtime-replay-max-events", "PLINTH_REALTIME_REPLAY_MAX_EVENTS");
  const perIp = pick("realtime-max-connections-per-ip", "PLINTH_REALTIME_MAX_CONNECTIONS_PER_IP");
  const proxies = pick("trusted-proxies", "PLINTH_TRUSTED_PROXIES");

  return Object.freeze({
    host,
    port,
    dir: dir ? resolve(dir.value) : DEFAULT_CONFIG.dir,
    dev,
    logLevel: (level?.value as Config["logLevel"]) ?? DEFAULT_CONFIG.logLevel,
    corsOrigins:
      origins === undefined || origins.value.trim() === "*"
        ? "*"
        : Object.freeze(
            origins.value
              .split(",")
              .map((o) => o.trim())
              .filter(Boolean),
          ),
    bodyLimit: bodyLimit ? parsePositiveInt(bodyLimit.setting, bodyLimit.value) : DEFAULT_CONFIG.bodyLimit,
    synchronous: sync ? (sync.value.toUpperCase() as Config["synchronous"]) : DEFAULT_CONFIG.synchronous,
    shutdownTimeoutMs: shutdown
      ? parsePositiveInt(shutdown.setting, shutdown.value)
      : DEFAULT_CONFIG.shutdownTimeoutMs,
    db: db ? parseUrl(db.setting, db.value, ["postgres:", "postgresql:"]) : undefined,
    redis: redis ? parseUrl(redis.setting, redis.value, ["redis:", "rediss:"]) : undefined,
    workers: workers ? parseWorkers(workers.setting, workers.value) : DEFAULT_CONFIG.workers,
    dbPoolSize: poolSize ? parsePoolSize(poolSize.setting, poolSize.value) : DEFAULT_CONFIG.dbPoolSize,
    dbAcquireTimeoutMs: acquireTimeout
      ? parseTimeoutMs(acquireTimeout.setting, acquireTimeout.value)
      : DEFAULT_CONFIG.dbAcquireTimeoutMs,
    dbStatementTimeoutMs: statementTimeout
      ? parseTimeoutMs(statementTimeout.setting, statementTimeout.value)
      : DEFAULT_CONFIG.dbStatementTimeoutMs,
    realtimeReplayWindowMs: replayWindow
      ? parseSeconds(replayWindow.setting, replayWindow.value)
      : DEFAULT_CONFIG.realtimeReplayWindowMs,
    realtimeReplayMaxEvents: replayMax
      ? parseBounded(replayMax.setting, replayMax.value, MAX_REPLAY_EVENTS)
      : DEFAULT_CONFIG.realtimeReplayMaxEvents,
    realtimeMaxConnectionsPerIp: perIp
      ? parseBounded(perIp.setting, perIp.value, 1_000_000)
      : DEFAULT_CONFIG.realtimeMaxConnectionsPerIp,
    trustedProxies: proxies ? parseProxies(proxies.setting, proxies.value) : DEFAULT_CONFIG.trustedProxies,
  });
}

/** Positional arguments left after the flags (e.g. `superuser upsert EMAIL PASSWORD`). */
export function positionals(argv: readonly string[]): string[] {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false }).positionals;
}
